/**
 * What the example subscriber does with each event: keep every group's members, so that it
 * can say how many customers each group has. A deleted customer leaves its groups; a deleted
 * group goes with its memberships. Events of other types are not handled (the kit skips them).
 */
import type { EventHandlers } from "../../shared/subscriber/subscriber.js";
import type { GroupCountsStore } from "./store.js";

export function groupCountHandlers(store: GroupCountsStore): EventHandlers {
  return {
    CustomerGroupCreated: async (event) => store.nameGroup(event.data.id, event.data.name),
    CustomerGroupUpdated: async (event) => {
      if (event.data.changes.name !== undefined) await store.nameGroup(event.data.id, event.data.changes.name);
    },
    CustomerGroupDeleted: async (event) => store.removeGroup(event.data.id),
    CustomerAddedToGroup: async (event) => store.join(event.data.group_id, event.data.customer_id),
    CustomerRemovedFromGroup: async (event) => store.leave(event.data.group_id, event.data.customer_id),
    CustomerDeleted: async (event) => store.removeCustomer(event.data.id),
  };
}
