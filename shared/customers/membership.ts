/**
 * The decisions on a customer's group memberships (recorded on its stream, see customer.ts):
 * the customer aggregate decides who it belongs to; which groups exist and are live is read from their streams by the caller
 * and passed in. Adding a member twice or removing a non-member records nothing.
 */
import type { CustomerEvent, CustomerState } from "./customer.js";
import { RelatedEntityNotFound } from "./errors.js";

export interface ChangeMemberships {
  type: "ChangeMemberships";
  data: { customer_id: string; add: string[]; remove: string[] };
}

export function decideChangeMemberships(command: ChangeMemberships, state: CustomerState, liveGroups: ReadonlySet<string>): CustomerEvent[] {
  const { customer_id, add, remove } = command.data;
  // Medusa's pivot rows fail their foreign key only when something is added.
  if (state.status !== "active") {
    if (add.length > 0) throw new RelatedEntityNotFound("customer_id", customer_id);
    return [];
  }
  const missing = add.find((groupId) => !liveGroups.has(groupId));
  if (missing !== undefined) throw new RelatedEntityNotFound("customer_group_id", missing);
  let members = state.group_ids;
  const events: CustomerEvent[] = [];
  for (const group_id of new Set(add)) {
    if (members.includes(group_id)) continue;
    events.push({ type: "CustomerAddedToGroup", data: { customer_id, group_id } });
    members = [...members, group_id];
  }
  for (const group_id of new Set(remove)) {
    if (!members.includes(group_id)) continue;
    events.push({ type: "CustomerRemovedFromGroup", data: { customer_id, group_id } });
    members = members.filter((id) => id !== group_id);
  }
  return events;
}
