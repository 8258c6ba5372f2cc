/**
 * The customer aggregate: its events, its state and `evolve`, addresses and group
 * memberships included (the decisions are in the files beside this one).
 * Pure: no I/O, no clock, no id generation (those come in with the command).
 */
import type { Static } from "typebox";
import type {
  CustomerAddedToGroupData,
  CustomerAddressAddedData,
  CustomerAddressRemovedData,
  CustomerAddressSchema,
  CustomerAddressUpdatedData,
  CustomerCreatedData,
  CustomerCreationAbandonedData,
  CustomerDeletedData,
  CustomerErasedData,
  CustomerFieldsSchema,
  CustomerRemovedFromGroupData,
  CustomerUpdatedData,
  EDITABLE_CUSTOMER_FIELDS,
} from "./eventData.js";

/** Every field Medusa stores on a customer, as it is on the wire. */
export type CustomerFields = Static<typeof CustomerFieldsSchema>;

export type CustomerCreated = { type: "CustomerCreated"; data: Static<typeof CustomerCreatedData> };

/**
 * Written by a later create that found this id holding an email reservation but no
 * customer: it fences the stream so the stalled create can never complete, which lets
 * the reservation be taken over (see emailReservation.ts).
 */
export type CustomerCreationAbandoned = { type: "CustomerCreationAbandoned"; data: Static<typeof CustomerCreationAbandonedData> };

/** The fields an admin can change after creation. */
export type EditableCustomerFields = Pick<CustomerFields, (typeof EDITABLE_CUSTOMER_FIELDS)[number]>;

/** Carries the new value of every field that changed (metadata: the whole merged object). */
export type CustomerUpdated = { type: "CustomerUpdated"; data: Static<typeof CustomerUpdatedData> };

/** A soft delete, as Medusa's: the customer disappears from every read, its email is free again. */
export type CustomerDeleted = { type: "CustomerDeleted"; data: Static<typeof CustomerDeletedData> };

/**
 * The customer's personal data was erased at an admin's request (the right to erasure): its
 * data key is destroyed, so the personal fields of its earlier events can no longer be read.
 * Final: nothing more is written to the stream.
 */
export type CustomerErased = { type: "CustomerErased"; data: Static<typeof CustomerErasedData> };

/** An address belongs to its customer's stream: a customer has at most one default shipping
 * and one default billing address, a rule that needs its other addresses to decide. */
export type CustomerAddress = Static<typeof CustomerAddressSchema>;

export type CustomerAddressAdded = { type: "CustomerAddressAdded"; data: Static<typeof CustomerAddressAddedData> };
export type CustomerAddressUpdated = { type: "CustomerAddressUpdated"; data: Static<typeof CustomerAddressUpdatedData> };
export type CustomerAddressRemoved = { type: "CustomerAddressRemoved"; data: Static<typeof CustomerAddressRemovedData> };

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
export type CustomerAddedToGroup = { type: "CustomerAddedToGroup"; data: Static<typeof CustomerAddedToGroupData> };
export type CustomerRemovedFromGroup = { type: "CustomerRemovedFromGroup"; data: Static<typeof CustomerRemovedFromGroupData> };
export type MembershipEvent = CustomerAddedToGroup | CustomerRemovedFromGroup;

export function evolveGroupIds(groupIds: string[], event: MembershipEvent): string[] {
  switch (event.type) {
    case "CustomerAddedToGroup":
      return groupIds.includes(event.data.group_id) ? groupIds : [...groupIds, event.data.group_id];
    case "CustomerRemovedFromGroup":
      return groupIds.filter((id) => id !== event.data.group_id);
  }
}

export type CustomerEvent = CustomerCreated | CustomerCreationAbandoned | CustomerUpdated | CustomerDeleted | CustomerErased | AddressEvent | MembershipEvent;

export type CustomerState =
  | { status: "absent" }
  | { status: "active"; customer: CustomerFields; addresses: CustomerAddress[]; group_ids: string[] }
  | { status: "deleted"; customer: CustomerFields; deleted_at: string }
  | { status: "erased"; id: string; erased_at: string }
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
      return state.status === "active" ? { status: "deleted", customer: state.customer, deleted_at: event.data.deleted_at } : state;
    case "CustomerErased":
      return { status: "erased", id: event.data.id, erased_at: event.data.erased_at };
  }
}

export const customerStreamName = (customerId: string): string => `customer-${customerId}`;

/** Streams of this prefix are the customer events published to subscribers. */
export const CUSTOMER_STREAM_PREFIX = "customer-";
