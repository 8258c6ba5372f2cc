/**
 * Upcasting: an event written in an older version of its type is read as the current one, one
 * version at a time, so that readers (folds, projections, subscribers) only ever handle the
 * current shape while the store and the topic keep what was written.
 *
 * Every published type is at its first version today, so the list is empty; a version 2 of a
 * type comes with the function that turns its version 1 data into version 2's here (and its
 * version 2 entry in the catalogue). The checks of test/contract/eventContract.test.ts fail
 * when a listed version has no way up to the current one.
 */

/** Turns the data of one version into the data of the next. Pure. */
export type Upcaster = (data: unknown) => unknown;

/** `{ CustomerCreated: { 1: (v1) => v2 } }`: by type, then by the version upcast from. */
export type Upcasters = Readonly<Record<string, Readonly<Record<number, Upcaster>>>>;

export const UPCASTERS: Upcasters = {};

export interface VersionedEvent {
  type: string;
  schema_version: number;
  data: unknown;
}

/** The event as the current version of its type; the same object when it already is one. */
export function upcast<E extends VersionedEvent>(event: E, upcasters: Upcasters = UPCASTERS): E {
  const steps = upcasters[event.type];
  if (!steps) return event;
  let current = event;
  for (let step = steps[current.schema_version]; step; step = steps[current.schema_version]) {
    current = { ...current, schema_version: current.schema_version + 1, data: step(current.data) };
  }
  return current;
}

/** A recorded event as the current version of its type, as folds and projections evolve with it. */
export function currentEventOf(recorded: { type: string; data: unknown; metadata: { schema_version: number } }): { type: string; data: unknown } {
  if (!UPCASTERS[recorded.type]) return { type: recorded.type, data: recorded.data };
  const { type, data } = upcast({ type: recorded.type, schema_version: recorded.metadata.schema_version, data: recorded.data });
  return { type, data };
}
