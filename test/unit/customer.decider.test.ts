import t, { type Test } from "tap";
import { type CustomerEvent, evolveCustomer, initialCustomerState } from "../../shared/customers/customer.js";
import { type CreateCustomer, decideCreateCustomer } from "../../shared/customers/createCustomer.js";
import { CustomerAlreadyExists } from "../../shared/customers/errors.js";
import { deciderSpec } from "../support/decider.js";

const now = new Date("2026-01-02T03:04:05.678Z");
const spec = (test: Test) =>
  deciderSpec(test, { decide: decideCreateCustomer, evolve: evolveCustomer, initialState: initialCustomerState });

const create = (data: Partial<CreateCustomer["data"]> = {}): CreateCustomer => ({
  type: "CreateCustomer",
  data: { id: "cus_1", created_by: "user_1", now, ...data },
});

const created: CustomerEvent = {
  type: "CustomerCreated",
  data: {
    id: "cus_1",
    email: "a@b.com",
    company_name: "Acme",
    first_name: "Ada",
    last_name: "Lovelace",
    phone: "+44 1",
    metadata: { tier: "gold" },
    has_account: false,
    created_by: "user_1",
    created_at: now.toISOString(),
  },
};

t.test("a new customer is created with every field Medusa stores", async (t) => {
  spec(t)
    .given([])
    .when(create({ email: "a@b.com", company_name: "Acme", first_name: "Ada", last_name: "Lovelace", phone: "+44 1", metadata: { tier: "gold" } }))
    .then([created]);
});

t.test("fields left out are stored as null, has_account is false", async (t) => {
  spec(t)
    .given([])
    .when(create())
    .then([
      {
        type: "CustomerCreated",
        data: {
          id: "cus_1",
          email: null,
          company_name: null,
          first_name: null,
          last_name: null,
          phone: null,
          metadata: null,
          has_account: false,
          created_by: "user_1",
          created_at: now.toISOString(),
        },
      },
    ]);
});

t.test("an id that already has a customer cannot be created again", async (t) => {
  spec(t).given([created]).when(create()).thenThrows(CustomerAlreadyExists, "Customer with id: cus_1 already exists.");
});

t.test("an id fenced as abandoned cannot be created", async (t) => {
  spec(t)
    .given([{ type: "CustomerCreationAbandoned", data: { id: "cus_1", abandoned_at: now.toISOString() } }])
    .when(create())
    .thenThrows(CustomerAlreadyExists);
});

t.test("evolve: abandoning does not undo a customer that exists", async (t) => {
  const state = [created, { type: "CustomerCreationAbandoned", data: { id: "cus_1", abandoned_at: now.toISOString() } } as CustomerEvent].reduce(
    evolveCustomer,
    initialCustomerState(),
  );
  t.equal(state.status, "active");
});
