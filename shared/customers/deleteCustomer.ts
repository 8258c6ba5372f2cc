import type { CustomerEvent, CustomerState } from "./customer.js";

export interface DeleteCustomer {
  type: "DeleteCustomer";
  data: { id: string; now: Date };
}

/** Deleting what is not there (or no longer there) is not an error, as in Medusa: nothing happens. */
export function decideDeleteCustomer(command: DeleteCustomer, state: CustomerState): CustomerEvent[] {
  if (state.status !== "active") return [];
  return [{ type: "CustomerDeleted", data: { id: command.data.id, deleted_at: command.data.now.toISOString() } }];
}
