/**
 * What one event changed on its entity, field by field: the history routes' `changes`.
 * A field of a related item is named by a path (`addresses.cuaddr_01.city`); an item added
 * or removed whole is one change of `addresses.<id>` from or to null.
 */
export interface FieldChange {
  field: string;
  before: unknown;
  after: unknown;
}

/** The fields an entity was created with: every one that holds a value, from nothing. */
export function createdFields(created: Record<string, unknown>, except: readonly string[] = ["id"]): FieldChange[] {
  return Object.entries(created)
    .filter(([field, value]) => value !== null && !except.includes(field))
    .map(([field, after]) => ({ field, before: null, after }));
}

/** Each changed field's new value beside the one it replaced (`prefix.field` when nested). */
export function changedFields(was: Record<string, unknown> | undefined, changes: Record<string, unknown>, prefix = ""): FieldChange[] {
  return Object.entries(changes).map(([field, after]) => ({ field: prefix + field, before: was?.[field] ?? null, after }));
}
