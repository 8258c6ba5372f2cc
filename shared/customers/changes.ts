/**
 * What each customer event changed, before and after, given the state it was applied to:
 * the entries of a customer's history. Pure.
 */
import { changedFields, createdFields, type FieldChange } from "../fieldChange.js";
import type { CustomerAddress, CustomerEvent, CustomerState } from "./customer.js";

export function customerChanges(before: CustomerState, event: CustomerEvent): FieldChange[] {
  const addresses = before.status === "active" ? before.addresses : [];
  const addressOf = (id: string): CustomerAddress | undefined => addresses.find((address) => address.id === id);
  switch (event.type) {
    case "CustomerCreated":
      return createdFields({ ...event.data });
    case "CustomerCreationAbandoned":
      return [];
    case "CustomerUpdated":
      return changedFields(before.status === "active" ? { ...before.customer } : undefined, event.data.changes);
    case "CustomerDeleted":
      return [{ field: "deleted_at", before: null, after: event.data.deleted_at }];
    case "CustomerErased":
      return [
        { field: "erased_at", before: null, after: event.data.erased_at },
        ...(before.status === "active" ? [{ field: "deleted_at", before: null, after: event.data.deleted_at }] : []),
      ];
    case "CustomerAddressAdded":
      return [{ field: `addresses.${event.data.address.id}`, before: null, after: event.data.address }];
    case "CustomerAddressUpdated": {
      // When it changed is the entry's occurred_at; only what the admin sees as the address's fields is listed.
      const { updated_at: _when, ...changes } = event.data.changes;
      const was = addressOf(event.data.address_id);
      return changedFields(was && { ...was }, changes, `addresses.${event.data.address_id}.`);
    }
    case "CustomerAddressRemoved":
      return [{ field: `addresses.${event.data.address_id}`, before: addressOf(event.data.address_id) ?? null, after: null }];
    case "CustomerAddedToGroup":
      return [{ field: `groups.${event.data.group_id}`, before: null, after: { id: event.data.group_id } }];
    case "CustomerRemovedFromGroup":
      return [{ field: `groups.${event.data.group_id}`, before: { id: event.data.group_id }, after: null }];
  }
}
