/** What each customer-group event changed, before and after: the entries of a group's history. Pure. */
import { changedFields, createdFields, type FieldChange } from "../fieldChange.js";
import type { CustomerGroupEvent, CustomerGroupState } from "./group.js";

export function customerGroupChanges(before: CustomerGroupState, event: CustomerGroupEvent): FieldChange[] {
  switch (event.type) {
    case "CustomerGroupCreated":
      return createdFields({ ...event.data });
    case "CustomerGroupUpdated":
      return changedFields(before.status === "active" ? { ...before.group } : undefined, event.data.changes);
    case "CustomerGroupDeleted":
      return [{ field: "deleted_at", before: null, after: event.data.deleted_at }];
    case "CustomerGroupCreationAbandoned":
      return [];
  }
}
