import type { CustomerAddress } from "../../shared/customers/customer.js";
import type { CustomerDocument } from "../../shared/readmodel/customerDocument.js";
import type { CustomerGroupDocument } from "../../shared/readmodel/customerGroupDocument.js";

export function customerDocument(overrides: Partial<CustomerDocument> = {}): CustomerDocument {
  return {
    id: "cus_01TEST",
    email: "a@b.com",
    company_name: null,
    first_name: "Ada",
    last_name: null,
    phone: null,
    metadata: null,
    has_account: false,
    created_by: "user_1",
    created_at: "2026-01-01T00:00:00.000Z",
    updated_at: "2026-01-01T00:00:00.000Z",
    deleted_at: null,
    addresses: [],
    group_ids: [],
    default_billing_address_id: null,
    default_shipping_address_id: null,
    revision: 0,
    ...overrides,
  };
}

export function customerGroupDocument(overrides: Partial<CustomerGroupDocument> = {}): CustomerGroupDocument {
  return {
    id: "cusgroup_01TEST",
    name: "VIP",
    metadata: null,
    created_by: "user_1",
    created_at: "2026-01-01T00:00:00.000Z",
    updated_at: "2026-01-01T00:00:00.000Z",
    deleted_at: null,
    revision: 0,
    ...overrides,
  };
}

export function address(overrides: Partial<CustomerAddress> & { id: string; customer_id: string }): CustomerAddress {
  return {
    address_name: null,
    is_default_shipping: false,
    is_default_billing: false,
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
    metadata: null,
    created_at: "2026-01-01T00:00:00.000Z",
    updated_at: "2026-01-01T00:00:00.000Z",
    deleted_at: null,
    ...overrides,
  };
}
