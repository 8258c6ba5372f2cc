import { isDeepStrictEqual } from "node:util";
import type { CustomerEvent, CustomerState, EditableCustomerFields } from "./customer.js";
import { CustomerNotFound } from "./errors.js";
import { checkMetadata, checkMetadataKeys, mergeMetadata } from "../metadata.js";
import { checkCustomerSize } from "./limits.js";

export interface UpdateCustomer {
  type: "UpdateCustomer";
  data: Partial<EditableCustomerFields> & { id: string; now: Date };
}

const PLAIN_FIELDS = ["email", "company_name", "first_name", "last_name", "phone"] as const;

/** Only what actually changes is recorded; an update that changes nothing records nothing. */
export function decideUpdateCustomer(command: UpdateCustomer, state: CustomerState): CustomerEvent[] {
  const { data } = command;
  checkMetadataKeys("metadata", data.metadata);
  if (state.status !== "active") throw new CustomerNotFound(data.id);
  const current = state.customer;
  const changes: Partial<EditableCustomerFields> = {};
  for (const field of PLAIN_FIELDS) {
    const value = data[field];
    if (value !== undefined && value !== current[field]) changes[field] = value;
  }
  const metadata = mergeMetadata(current.metadata, data.metadata);
  if (!isDeepStrictEqual(metadata, current.metadata)) changes.metadata = metadata;
  if (Object.keys(changes).length === 0) return [];
  if ("metadata" in changes) checkMetadata("metadata", changes.metadata);
  checkCustomerSize({ ...current, ...changes }, state.addresses);
  return [{ type: "CustomerUpdated", data: { id: data.id, changes, updated_at: data.now.toISOString() } }];
}
