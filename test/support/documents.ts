import type { CustomerDocument } from "../../shared/readmodel/customerDocument.js";

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
    groups: [],
    revision: 0,
    ...overrides,
  };
}
