import t, { type Test } from "tap";
import { type CustomerEvent, evolveCustomer, initialCustomerState } from "../../shared/customers/customer.js";
import { decideDeleteCustomer } from "../../shared/customers/deleteCustomer.js";
import { CustomerNotFound } from "../../shared/customers/errors.js";
import { mergeMetadata } from "../../shared/metadata.js";
import { type UpdateCustomer, decideUpdateCustomer } from "../../shared/customers/updateCustomer.js";
import { deciderSpec } from "../support/decider.js";

const now = new Date("2026-02-01T00:00:00.000Z");
const created: CustomerEvent = {
  type: "CustomerCreated",
  data: {
    id: "cus_1",
    email: "a@b.com",
    company_name: null,
    first_name: "Ada",
    last_name: null,
    phone: null,
    metadata: { foo: "bar", keep: 1 },
    has_account: false,
    created_by: "user_1",
    created_at: "2026-01-01T00:00:00.000Z",
  },
};
const deleted: CustomerEvent = { type: "CustomerDeleted", data: { id: "cus_1", deleted_at: now.toISOString() } };

const update = (t: Test) => deciderSpec(t, { decide: decideUpdateCustomer, evolve: evolveCustomer, initialState: initialCustomerState });
const remove = (t: Test) => deciderSpec(t, { decide: decideDeleteCustomer, evolve: evolveCustomer, initialState: initialCustomerState });
const updating = (data: Omit<UpdateCustomer["data"], "id" | "now">): UpdateCustomer => ({ type: "UpdateCustomer", data: { id: "cus_1", now, ...data } });

t.test("an update records only what changes, metadata merged", async (t) => {
  update(t)
    .given([created])
    .when(updating({ first_name: "Ada", last_name: "Lovelace", metadata: { foo: "", x: 2 } }))
    .then([{ type: "CustomerUpdated", data: { id: "cus_1", changes: { last_name: "Lovelace", metadata: { keep: 1, x: 2 } }, updated_at: now.toISOString() } }]);
});

t.test("an update that changes nothing records nothing", async (t) => {
  update(t).given([created]).when(updating({ first_name: "Ada", metadata: {} })).then([]);
});

t.test("setting a field to null is a change", async (t) => {
  update(t)
    .given([created])
    .when(updating({ email: null, metadata: null }))
    .then([{ type: "CustomerUpdated", data: { id: "cus_1", changes: { email: null, metadata: null }, updated_at: now.toISOString() } }]);
});

t.test("unknown and deleted customers cannot be updated (Medusa's update message)", async (t) => {
  update(t).given([]).when(updating({ first_name: "X" })).thenThrows(CustomerNotFound, 'Customer with id "cus_1" not found');
  update(t).given([created, deleted]).when(updating({ first_name: "X" })).thenThrows(CustomerNotFound);
});

t.test("delete is soft and happens once", async (t) => {
  remove(t).given([created]).when({ type: "DeleteCustomer", data: { id: "cus_1", now } }).then([deleted]);
  remove(t).given([created, deleted]).when({ type: "DeleteCustomer", data: { id: "cus_1", now } }).then([]);
  remove(t).given([]).when({ type: "DeleteCustomer", data: { id: "cus_1", now } }).then([]);
});

t.test("evolve: updates apply to the customer, a delete keeps its last state", async (t) => {
  const state = [created, { type: "CustomerUpdated", data: { id: "cus_1", changes: { email: "n@b.com" }, updated_at: "x" } } as CustomerEvent, deleted].reduce(
    evolveCustomer,
    initialCustomerState(),
  );
  t.equal(state.status, "deleted");
  t.equal(state.status === "deleted" && state.customer.email, "n@b.com");
});

t.test("metadata merge, as Medusa's mergeMetadata", async (t) => {
  t.same(mergeMetadata({ foo: "bar" }, { foo: "", x: 1 }), { x: 1 });
  t.same(mergeMetadata({ foo: "bar" }, {}), { foo: "bar" });
  t.same(mergeMetadata({ foo: "bar" }, null), null);
  t.same(mergeMetadata({ a: "1" }, { a: null, b: "2" }), { a: null, b: "2" });
  t.same(mergeMetadata(null, { a: 1 }), { a: 1 });
  t.same(mergeMetadata({ a: 1 }, undefined), { a: 1 });
});
