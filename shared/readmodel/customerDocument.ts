/**
 * The customer document of the read model and the pure projection that builds it from
 * customer events. A write's answer is folded with the same function when the read model
 * is late (shared/readmodel/readYourWrites.ts), so both always agree.
 */
import { type CustomerAddress, type CustomerEvent, type CustomerFields, evolveAddresses, evolveGroupIds } from "../customers/customer.js";

export interface CustomerDocument extends CustomerFields {
  updated_at: string;
  deleted_at: string | null;
  addresses: CustomerAddress[];
  /** The groups the customer belongs to, from its own events (joined with the group documents on read). */
  group_ids: string[];
  /** The addresses flagged as default, for the groups list's `customers` filter (FerretDB cannot $elemMatch documents). */
  default_billing_address_id: string | null;
  default_shipping_address_id: string | null;
  /** Revision of the customer stream this document reflects. */
  revision: number;
}

export function projectCustomerEvent(
  document: CustomerDocument | null,
  event: CustomerEvent,
  revision: number,
): CustomerDocument | null {
  switch (event.type) {
    case "CustomerCreated":
      return {
        ...event.data,
        updated_at: event.data.created_at,
        deleted_at: null,
        addresses: [],
        group_ids: [],
        default_billing_address_id: null,
        default_shipping_address_id: null,
        revision,
      };
    case "CustomerCreationAbandoned":
      return document;
    case "CustomerUpdated":
      return document && { ...document, ...event.data.changes, updated_at: event.data.updated_at, revision };
    case "CustomerDeleted":
      return document && { ...document, deleted_at: event.data.deleted_at, revision };
    case "CustomerErased":
      return document && erasedDocument(document, event.data.deleted_at, revision);
    case "CustomerAddressAdded":
    case "CustomerAddressUpdated":
    case "CustomerAddressRemoved":
      return document && withDefaults({ ...document, addresses: evolveAddresses(document.addresses, event), revision });
    case "CustomerAddedToGroup":
    case "CustomerRemovedFromGroup":
      return document && { ...document, group_ids: evolveGroupIds(document.group_ids, event), revision };
  }
}

function withDefaults(document: CustomerDocument): CustomerDocument {
  const flagged = (flag: "is_default_billing" | "is_default_shipping") => document.addresses.find((address) => address[flag])?.id ?? null;
  return { ...document, default_billing_address_id: flagged("is_default_billing"), default_shipping_address_id: flagged("is_default_shipping") };
}

/**
 * What is left of an erased customer: a deleted document without any personal field,
 * address or membership. It is kept rather than removed so that its revision still turns away
 * a redelivery of the stream's older events, which would otherwise bring the customer back.
 */
function erasedDocument(document: CustomerDocument, deletedAt: string, revision: number): CustomerDocument {
  return {
    id: document.id,
    email: null,
    company_name: null,
    first_name: null,
    last_name: null,
    phone: null,
    metadata: null,
    has_account: document.has_account,
    created_by: document.created_by,
    created_at: document.created_at,
    updated_at: deletedAt,
    deleted_at: deletedAt,
    addresses: [],
    group_ids: [],
    default_billing_address_id: null,
    default_shipping_address_id: null,
    revision,
  };
}
