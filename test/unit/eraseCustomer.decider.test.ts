/**
 * Erasing a customer, given its events: a live or deleted customer is erased once; nothing is
 * recorded for one already erased or never created; the projected document keeps no personal
 * field, address or membership, and turns away older events redelivered after it.
 */
import t from "tap";
import { type CustomerEvent, evolveCustomer, initialCustomerState } from "../../shared/customers/customer.js";
import { decideEraseCustomer } from "../../shared/customers/eraseCustomer.js";
import { type CustomerDocument, projectCustomerEvent } from "../../shared/readmodel/customerDocument.js";

const id = "cus_01ERASE";
const now = new Date("2026-12-01T10:00:00.000Z");
const created: CustomerEvent = {
  type: "CustomerCreated",
  data: { id, email: "e@x.com", company_name: "Co", first_name: "Ed", last_name: "Ex", phone: "1", metadata: { a: 1 }, has_account: false, created_by: "user_1", created_at: "2026-11-01T00:00:00.000Z" },
};
const address: CustomerEvent = {
  type: "CustomerAddressAdded",
  data: {
    customer_id: id,
    address: {
      id: "cuaddr_1", address_name: null, is_default_shipping: true, is_default_billing: false, company: null, first_name: "Ed", last_name: null, address_1: "1 Road", address_2: null,
      city: "Town", country_code: "no", province: null, postal_code: null, phone: null, metadata: null, customer_id: id, created_at: "2026-11-02T00:00:00.000Z", updated_at: "2026-11-02T00:00:00.000Z", deleted_at: null,
    },
  },
};
const joined: CustomerEvent = { type: "CustomerAddedToGroup", data: { customer_id: id, group_id: "cusgroup_1" } };
const deleted: CustomerEvent = { type: "CustomerDeleted", data: { id, deleted_at: "2026-11-20T00:00:00.000Z" } };
const given = (events: CustomerEvent[]) => events.reduce(evolveCustomer, initialCustomerState());
const erase = (events: CustomerEvent[]) => decideEraseCustomer({ type: "EraseCustomer", data: { id, now } }, given(events));

t.test("a live customer is erased, and leaves every read at that moment", async (t) => {
  t.same(erase([created, address]), [{ type: "CustomerErased", data: { id, erased_at: now.toISOString(), deleted_at: now.toISOString() } }]);
});

t.test("a deleted customer is erased, keeping when it was deleted", async (t) => {
  t.same(erase([created, deleted]), [{ type: "CustomerErased", data: { id, erased_at: now.toISOString(), deleted_at: "2026-11-20T00:00:00.000Z" } }]);
});

t.test("nothing is recorded for an erased customer or for an id that never held one", async (t) => {
  const erasedEvents = [created, ...erase([created])];
  t.equal(given(erasedEvents).status, "erased");
  t.same(erase(erasedEvents), []);
  t.same(erase([]), []);
  t.same(erase([{ type: "CustomerCreationAbandoned", data: { id, abandoned_at: now.toISOString() } }]), []);
});

t.test("the projected document: a tombstone without personal data, at the erasure's revision (which turns older events away)", async (t) => {
  const events = [created, address, joined, ...erase([created, address, joined])];
  let document: CustomerDocument | null = null;
  events.forEach((event, revision) => (document = projectCustomerEvent(document, event, revision)));
  t.match(document, {
    id, email: null, first_name: null, last_name: null, company_name: null, phone: null, metadata: null, addresses: [], group_ids: [],
    default_shipping_address_id: null, deleted_at: now.toISOString(), revision: 3, created_at: created.data.created_at,
  });
  t.notOk(JSON.stringify(document).includes("Ed"), "no personal value is left");
});
