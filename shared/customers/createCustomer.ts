import type { CustomerEvent, CustomerState, EditableCustomerFields } from "./customer.js";
import { CustomerAlreadyExists } from "./errors.js";
import { checkMetadata } from "../metadata.js";

/** What an admin asks for; id, actor and time are supplied by the caller. */
export interface CreateCustomer {
  type: "CreateCustomer";
  data: Partial<EditableCustomerFields> & { id: string; created_by: string; now: Date };
}

export function decideCreateCustomer(command: CreateCustomer, state: CustomerState): CustomerEvent[] {
  if (state.status !== "absent") throw new CustomerAlreadyExists(command.data.id);
  const { data } = command;
  checkMetadata("metadata", data.metadata);
  return [
    {
      type: "CustomerCreated",
      data: {
        id: data.id,
        email: data.email ?? null,
        company_name: data.company_name ?? null,
        first_name: data.first_name ?? null,
        last_name: data.last_name ?? null,
        phone: data.phone ?? null,
        metadata: data.metadata ?? null,
        has_account: false,
        created_by: data.created_by,
        created_at: data.now.toISOString(),
      },
    },
  ];
}
