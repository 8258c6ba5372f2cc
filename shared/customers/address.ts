/**
 * The decisions on a customer's addresses (its events and their evolution are in
 * customer.ts). Pure: ids and time come in with the command.
 */
import { isDeepStrictEqual } from "node:util";
import { mergeMetadata, checkMetadata, checkMetadataKeys } from "../metadata.js";
import type { CustomerAddress, CustomerAddressUpdated, CustomerEvent, CustomerState } from "./customer.js";
import { RelatedEntityNotFound } from "./errors.js";
import { checkCustomerSize } from "./limits.js";

export type AddressInput = Partial<Omit<CustomerAddress, "id" | "customer_id" | "created_at" | "updated_at" | "deleted_at">>;

const TEXT_FIELDS = [
  "address_name",
  "company",
  "first_name",
  "last_name",
  "address_1",
  "address_2",
  "city",
  "country_code",
  "province",
  "postal_code",
  "phone",
] as const;

/** Medusa's maybeUnsetDefault steps: a new default takes the flag from the old one. */
function clearDefaults(
  addresses: CustomerAddress[],
  customerId: string,
  keepId: string,
  input: AddressInput,
  now: Date,
): CustomerAddressUpdated[] {
  const events: CustomerAddressUpdated[] = [];
  for (const address of addresses) {
    if (address.id === keepId) continue;
    const changes: Partial<CustomerAddress> = {};
    if (input.is_default_shipping === true && address.is_default_shipping) changes.is_default_shipping = false;
    if (input.is_default_billing === true && address.is_default_billing) changes.is_default_billing = false;
    if (Object.keys(changes).length > 0) {
      events.push({ type: "CustomerAddressUpdated", data: { customer_id: customerId, address_id: address.id, changes, updated_at: now.toISOString() } });
    }
  }
  return events;
}

export interface AddAddress {
  type: "AddAddress";
  data: { customer_id: string; address_id: string; input: AddressInput; now: Date };
}

export function decideAddAddress(command: AddAddress, state: CustomerState): CustomerEvent[] {
  const { customer_id, address_id, input, now } = command.data;
  if (state.status !== "active") throw new RelatedEntityNotFound("customer_id", customer_id);
  const stamp = now.toISOString();
  const address: CustomerAddress = {
    id: address_id,
    address_name: null,
    is_default_shipping: input.is_default_shipping ?? false,
    is_default_billing: input.is_default_billing ?? false,
    company: null,
    first_name: null,
    last_name: null,
    address_1: null,
    address_2: null,
    city: null,
    country_code: null,
    province: null,
    postal_code: null,
    phone: null,
    metadata: input.metadata ?? null,
    customer_id,
    created_at: stamp,
    updated_at: stamp,
    deleted_at: null,
  };
  for (const field of TEXT_FIELDS) address[field] = input[field] ?? null;
  checkMetadata("metadata", address.metadata);
  checkCustomerSize(state.customer, [...state.addresses, address]);
  return [...clearDefaults(state.addresses, customer_id, address_id, input, now), { type: "CustomerAddressAdded", data: { customer_id, address } }];
}

export interface UpdateAddress {
  type: "UpdateAddress";
  data: { customer_id: string; address_id: string; input: AddressInput; now: Date };
}

/** An address that is not there (or not this customer's) is left alone, as Medusa's update by selector does. */
export function decideUpdateAddress(command: UpdateAddress, state: CustomerState): CustomerEvent[] {
  const { customer_id, address_id, input, now } = command.data;
  // Checked first, as a body the schema refuses would be: whatever the customer's state.
  checkMetadataKeys("metadata", input.metadata);
  if (state.status !== "active") return [];
  const current = state.addresses.find((address) => address.id === address_id);
  if (!current) return [];
  const changes: Partial<CustomerAddress> = {};
  for (const field of [...TEXT_FIELDS, "is_default_shipping", "is_default_billing"] as const) {
    const value = input[field];
    if (value !== undefined && value !== current[field]) (changes as Record<string, unknown>)[field] = value;
  }
  const metadata = mergeMetadata(current.metadata, input.metadata);
  if (!isDeepStrictEqual(metadata, current.metadata)) changes.metadata = metadata;
  if (Object.keys(changes).length === 0) return [];
  if ("metadata" in changes) checkMetadata("metadata", changes.metadata);
  checkCustomerSize(
    state.customer,
    state.addresses.map((address) => (address.id === address_id ? { ...address, ...changes } : address)),
  );
  return [
    ...clearDefaults(state.addresses, customer_id, address_id, input, now),
    { type: "CustomerAddressUpdated", data: { customer_id, address_id, changes, updated_at: now.toISOString() } },
  ];
}

export interface RemoveAddress {
  type: "RemoveAddress";
  data: { customer_id: string; address_id: string };
}

export function decideRemoveAddress(command: RemoveAddress, state: CustomerState): CustomerEvent[] {
  const { customer_id, address_id } = command.data;
  if (state.status !== "active" || !state.addresses.some((address) => address.id === address_id)) return [];
  return [{ type: "CustomerAddressRemoved", data: { customer_id, address_id } }];
}
