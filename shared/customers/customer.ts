/**
 * The customer aggregate: its events, its state and `evolve`, addresses and group
 * memberships included (the decisions are in the files beside this one).
 * Pure: no I/O, no clock, no id generation (those come in with the command).
 */
import type { Metadata } from "../metadata.js";

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

/** An address belongs to its customer's stream: a customer has at most one default shipping
 * and one default billing address, a rule that needs its other addresses to decide. */
export interface CustomerAddress {
  id: string;
  address_name: string | null;
  is_default_shipping: boolean;
  is_default_billing: boolean;
  company: string | null;
  first_name: string | null;
  last_name: string | null;
  address_1: string | null;
  address_2: string | null;
  city: string | null;
  country_code: string | null;
  province: string | null;
  postal_code: string | null;
  phone: string | null;
  metadata: Metadata | null;
  customer_id: string;
  created_at: string;
  updated_at: string;
  deleted_at: string | null;
}

export type CustomerAddressAdded = { type: "CustomerAddressAdded"; data: { customer_id: string; address: CustomerAddress } };
export type CustomerAddressUpdated = {
  type: "CustomerAddressUpdated";
  data: { customer_id: string; address_id: string; changes: Partial<CustomerAddress>; updated_at: string };
};
export type CustomerAddressRemoved = { type: "CustomerAddressRemoved"; data: { customer_id: string; address_id: string } };

export type AddressEvent = CustomerAddressAdded | CustomerAddressUpdated | CustomerAddressRemoved;

export function evolveAddresses(addresses: CustomerAddress[], event: AddressEvent): CustomerAddress[] {
  switch (event.type) {
    case "CustomerAddressAdded":
      return [...addresses, event.data.address];
    case "CustomerAddressUpdated":
      return addresses.map((address) =>
        address.id === event.data.address_id ? { ...address, ...event.data.changes, updated_at: event.data.updated_at } : address,
      );
    case "CustomerAddressRemoved":
      return addresses.filter((address) => address.id !== event.data.address_id);
  }
}

/** Group membership is recorded on the customer's stream; which groups exist is read from theirs. */
export type CustomerAddedToGroup = { type: "CustomerAddedToGroup"; data: { customer_id: string; group_id: string } };
export type CustomerRemovedFromGroup = { type: "CustomerRemovedFromGroup"; data: { customer_id: string; group_id: string } };
export type MembershipEvent = CustomerAddedToGroup | CustomerRemovedFromGroup;

export function evolveGroupIds(groupIds: string[], event: MembershipEvent): string[] {
  switch (event.type) {
    case "CustomerAddedToGroup":
      return groupIds.includes(event.data.group_id) ? groupIds : [...groupIds, event.data.group_id];
    case "CustomerRemovedFromGroup":
      return groupIds.filter((id) => id !== event.data.group_id);
  }
}

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
