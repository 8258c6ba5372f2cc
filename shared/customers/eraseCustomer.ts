import type { CustomerEvent, CustomerState } from "./customer.js";

export interface EraseCustomer {
  type: "EraseCustomer";
  data: { id: string; now: Date };
}

/**
 * Erasing a live or a deleted customer records it; erasing one already erased, or an id that
 * never held a customer, records nothing (the request can be repeated safely). A live
 * customer leaves every read at the same moment, as a deletion would.
 */
export function decideEraseCustomer(command: EraseCustomer, state: CustomerState): CustomerEvent[] {
  if (state.status !== "active" && state.status !== "deleted") return [];
  const erased_at = command.data.now.toISOString();
  const deleted_at = state.status === "deleted" ? state.deleted_at : erased_at;
  return [{ type: "CustomerErased", data: { id: command.data.id, erased_at, deleted_at } }];
}

