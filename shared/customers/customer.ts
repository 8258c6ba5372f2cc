/**
 * The customer aggregate: its events, its state and `evolve`.
 * Pure: no I/O, no clock, no id generation (those come in with the command).
 */
import { type AddressEvent, type CustomerAddress, evolveAddresses } from "./address.js";
import { type MembershipEvent, evolveGroupIds } from "./membership.js";

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

/** The fields an admin can change after creation. */
export type EditableCustomerFields = Pick<CustomerFields, "email" | "company_name" | "first_name" | "last_name" | "phone" | "metadata">;

/** Carries the new value of every field that changed (metadata: the whole merged object). */
export type CustomerUpdated = {
  type: "CustomerUpdated";
  data: { id: string; changes: Partial<EditableCustomerFields>; updated_at: string };
};

/** A soft delete, as Medusa's: the customer disappears from every read, its email is free again. */
export type CustomerDeleted = {
  type: "CustomerDeleted";
  data: { id: string; deleted_at: string };
};

export type CustomerEvent = CustomerCreated | CustomerCreationAbandoned | CustomerUpdated | CustomerDeleted | AddressEvent | MembershipEvent;

export type CustomerState =
  | { status: "absent" }
  | { status: "active"; customer: CustomerFields; addresses: CustomerAddress[]; group_ids: string[] }
  | { status: "deleted"; customer: CustomerFields }
  | { status: "abandoned" };

export const initialCustomerState = (): CustomerState => ({ status: "absent" });

export function evolveCustomer(state: CustomerState, event: CustomerEvent): CustomerState {
  switch (event.type) {
    case "CustomerCreated":
      return { status: "active", customer: event.data, addresses: [], group_ids: [] };
    case "CustomerCreationAbandoned":
      return state.status === "absent" ? { status: "abandoned" } : state;
    case "CustomerUpdated":
      return state.status === "active" ? { ...state, customer: { ...state.customer, ...event.data.changes } } : state;
    case "CustomerAddressAdded":
    case "CustomerAddressUpdated":
    case "CustomerAddressRemoved":
      return state.status === "active" ? { ...state, addresses: evolveAddresses(state.addresses, event) } : state;
    case "CustomerAddedToGroup":
    case "CustomerRemovedFromGroup":
      return state.status === "active" ? { ...state, group_ids: evolveGroupIds(state.group_ids, event) } : state;
    case "CustomerDeleted":
      return state.status === "active" ? { status: "deleted", customer: state.customer } : state;
  }
}

export const customerStreamName = (customerId: string): string => `customer-${customerId}`;

/** Streams of this prefix are the customer events published to subscribers. */
export const CUSTOMER_STREAM_PREFIX = "customer-";
