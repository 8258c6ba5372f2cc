/**
 * The customer aggregate: its events, its state and `evolve`.
 * Pure: no I/O, no clock, no id generation (those come in with the command).
 */

export type Metadata = Record<string, unknown>;

/** Every field Medusa stores on a customer, as it is on the wire. */
export interface CustomerFields {
  id: string;
  email: string | null;
  company_name: string | null;
  first_name: string | null;
  last_name: string | null;
  phone: string | null;
  metadata: Metadata | null;
  has_account: boolean;
  created_by: string | null;
  created_at: string;
}

export type CustomerCreated = {
  type: "CustomerCreated";
  data: CustomerFields;
};

/**
 * Written by a later create that found this id holding an email reservation but no
 * customer: it fences the stream so the stalled create can never complete, which lets
 * the reservation be taken over (see emailReservation.ts).
 */
export type CustomerCreationAbandoned = {
  type: "CustomerCreationAbandoned";
  data: { id: string; abandoned_at: string };
};

export type CustomerEvent = CustomerCreated | CustomerCreationAbandoned;

export type CustomerState =
  | { status: "absent" }
  | { status: "active"; customer: CustomerFields }
  | { status: "abandoned" };

export const initialCustomerState = (): CustomerState => ({ status: "absent" });

export function evolveCustomer(state: CustomerState, event: CustomerEvent): CustomerState {
  switch (event.type) {
    case "CustomerCreated":
      return { status: "active", customer: event.data };
    case "CustomerCreationAbandoned":
      return state.status === "absent" ? { status: "abandoned" } : state;
  }
}

export const customerStreamName = (customerId: string): string => `customer-${customerId}`;

/** Streams of this prefix are the customer events published to subscribers. */
export const CUSTOMER_STREAM_PREFIX = "customer-";
