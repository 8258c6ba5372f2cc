/**
 * The history of a customer or a customer group, read from its stream in the event store:
 * each event with who caused it, when, and what it changed, before and after. The store is
 * the only place that keeps this (the read model holds current documents only), so a history
 * is always up to date with every write, deleted entities included.
 */
import { setImmediate as nextTurn } from "node:timers/promises";
import { customerGroupChanges } from "../customerGroups/changes.js";
import { type CustomerGroupEvent, customerGroupStreamName, evolveCustomerGroup, initialCustomerGroupState } from "../customerGroups/group.js";
import { customerChanges } from "../customers/changes.js";
import { type CustomerEvent, customerStreamName, evolveCustomer, initialCustomerState } from "../customers/customer.js";
import { currentEventOf } from "../events/upcasting.js";
import type { FieldChange } from "../fieldChange.js";
import type { EventStore, RecordedEvent } from "../eventstore/port.js";
import { FoldCheckpoints } from "./foldCheckpoints.js";

export interface HistoryEntry {
  /** The event's id. */
  id: string;
  revision: number;
  type: string;
  occurred_at: string;
  recorded_at: string;
  /** Who caused it: a user (`user_...`) or a secret API key (`apk_...`). */
  created_by: string;
  actor_type: string;
  correlation_id: string;
  causation_id: string;
  schema_version: number;
  changes: FieldChange[];
}

/** Which entries, in which order: a page of the revisions within the bounds given. */
export interface HistoryRange {
  offset: number;
  limit: number;
  /** Newest first unless "ascending". */
  order: "ascending" | "descending";
  /** Inclusive revision bounds (a cursor: the last entry's revision, exclusive, is the next page's bound). */
  from?: number;
  to?: number;
}

export interface HistoryPage {
  entries: HistoryEntry[];
  /** Entries within the bounds, on every page. */
  count: number;
}

interface HistorySource<State, Event> {
  /** The event an entity's stream starts with; a stream that starts otherwise holds no entity. */
  createdBy: string;
  initialState: () => State;
  evolve: (state: State, event: Event) => State;
  changes: (before: State, event: Event) => FieldChange[];
  /**
   * The event that ends the entity's stream by making its earlier data unreadable (a
   * customer's erasure): states folded before it hold data that must not be shown again.
   */
  erasedBy?: string;
}

const CUSTOMER: HistorySource<ReturnType<typeof initialCustomerState>, CustomerEvent> = {
  createdBy: "CustomerCreated",
  initialState: initialCustomerState,
  evolve: evolveCustomer,
  changes: customerChanges,
  erasedBy: "CustomerErased",
};

const CUSTOMER_GROUP: HistorySource<ReturnType<typeof initialCustomerGroupState>, CustomerGroupEvent> = {
  createdBy: "CustomerGroupCreated",
  initialState: initialCustomerGroupState,
  evolve: evolveCustomerGroup,
  changes: customerGroupChanges,
};

/** Events read at once: a page of large events stays a few megabytes, and takes the event loop a millisecond or two. */
const PAGE_SIZE = 256;

/** A checkpoint every 256 events, 4,096 of them: a million events of long histories, some megabytes. */
const CHECKPOINT_EVERY = PAGE_SIZE;
const MAX_CHECKPOINTS = 4_096;

export class EntityHistory {
  readonly #store: EventStore;
  readonly #checkpoints = new FoldCheckpoints({ every: CHECKPOINT_EVERY, maxCheckpoints: MAX_CHECKPOINTS });

  constructor(store: EventStore) {
    this.#store = store;
  }

  /** Undefined when no customer was ever created with this id. */
  customer(id: string, range: HistoryRange): Promise<HistoryPage | undefined> {
    return this.#read(customerStreamName(id), CUSTOMER, range);
  }

  /** Undefined when no group was ever created with this id. */
  group(id: string, range: HistoryRange): Promise<HistoryPage | undefined> {
    return this.#read(customerGroupStreamName(id), CUSTOMER_GROUP, range);
  }

  /**
   * Every change needs the state before it, so the stream is folded from the latest checkpoint
   * before the page (or from its start); only the page's events are turned into entries, and
   * reading stops at the page's newest one. Between reads of the store the fold gives the event
   * loop back, so a long history never holds up the requests beside it.
   */
  async #read<State, Event>(stream: string, source: HistorySource<State, Event>, range: HistoryRange): Promise<HistoryPage | undefined> {
    const last = await this.#store.streamRevision(stream);
    if (last < 0) return undefined;
    const low = Math.max(0, range.from ?? 0);
    const high = Math.min(last, range.to ?? last);
    const count = Math.max(0, high - low + 1);
    const [first, end] = pageOf(low, high, range);
    const entries: HistoryEntry[] = [];
    let checkpoint = end >= first ? this.#checkpoints.before<State>(stream, first) : undefined;
    if (checkpoint && source.erasedBy && (await this.#store.readStream(stream, { fromRevision: last, maxCount: 1 }))[0]?.type === source.erasedBy) {
      this.#checkpoints.forget(stream);
      checkpoint = undefined;
    }
    let state = checkpoint?.state ?? source.initialState();
    // An empty page still reads the first event: it tells an entity from a stream that holds none.
    const stop = end >= first ? end : 0;
    for (let next = checkpoint ? checkpoint.revision + 1 : 0; next <= stop; ) {
      if (next > 0) await nextTurn();
      const events = await this.#store.readStream(stream, { fromRevision: next, maxCount: Math.min(PAGE_SIZE, stop - next + 1) });
      if (next === 0 && events[0]?.type !== source.createdBy) return undefined;
      for (const recorded of events) {
        const event = withoutErasureMark(currentEventOf(recorded)) as Event;
        if (recorded.revision >= first && recorded.revision <= end) entries.push(entryOf(recorded, source.changes(state, event)));
        state = source.evolve(state, event);
        if (this.#checkpoints.isCheckpoint(recorded.revision)) this.#checkpoints.keep(stream, recorded.revision, state);
      }
      if (events.length === 0) break;
      next = events.at(-1)!.revision + 1;
    }
    if (range.order === "descending") entries.reverse();
    return { entries, count };
  }
}

/** The revisions [first, end] of the page asked for within [low, high]; end < first when it is empty. */
function pageOf(low: number, high: number, { offset, limit, order }: HistoryRange): [number, number] {
  if (order === "descending") {
    const end = high - offset;
    return [Math.max(low, end - limit + 1), end];
  }
  const first = low + offset;
  return [first, Math.min(high, first + limit - 1)];
}

/** An erased customer's events read with `erased: true` on their data: a mark, not a field that changed. */
function withoutErasureMark(event: { type: string; data: unknown }): { type: string; data: unknown } {
  const data = event.data as Record<string, unknown> | null;
  if (data?.erased !== true) return event;
  const { erased: _mark, ...fields } = data;
  return { ...event, data: fields };
}

function entryOf(recorded: RecordedEvent, changes: FieldChange[]): HistoryEntry {
  const { metadata } = recorded;
  return {
    id: metadata.event_id,
    revision: recorded.revision,
    type: recorded.type,
    occurred_at: metadata.occurred_at,
    recorded_at: recorded.recorded_at,
    created_by: metadata.actor.id,
    actor_type: metadata.actor.type,
    correlation_id: metadata.correlation_id,
    causation_id: metadata.causation_id,
    schema_version: metadata.schema_version,
    changes,
  };
}
