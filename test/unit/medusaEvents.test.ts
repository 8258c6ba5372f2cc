/**
 * The Medusa topic's mapping, given/when/then: each event of ours becomes the messages Medusa
 * 2.21's bus carries for the same change (names, `{ id }` data, metadata, internal flag,
 * module event before workflow event), and each message gets its own CloudEvents id.
 */
import t from "tap";
import { toMedusaBusMessages } from "../../shared/events/medusaBusMessages.js";
import { MEDUSA_EMISSIONS, medusaEventNames, medusaEventsOf } from "../../shared/events/medusaEvents.js";
import { PUBLISHED_EVENTS } from "../../shared/events/catalogue.js";
import type { RecordedEvent } from "../../shared/eventstore/port.js";

const module = (object: string, action: string, data: Record<string, string>) => ({
  name: `customer.${object.replaceAll("_", "-")}.${action}`,
  data,
  metadata: { source: "customer", object, action, eventGroupId: "req_1" },
  options: { internal: true },
});
const workflow = (action: string, id: string) => ({ name: `customer.${action}`, data: { id }, metadata: { eventGroupId: "req_1" } });
const when = (type: string, data: unknown) => medusaEventsOf({ type, data, correlationId: "req_1" });

t.test("a customer's create, update and delete: the module's row event, then the workflow's event", async (t) => {
  t.same(when("CustomerCreated", { id: "cus_1", email: "a@example.com" }), [module("customer", "created", { id: "cus_1" }), workflow("created", "cus_1")]);
  t.same(when("CustomerUpdated", { id: "cus_1", changes: { first_name: "A" } }), [module("customer", "updated", { id: "cus_1" }), workflow("updated", "cus_1")]);
  t.same(when("CustomerDeleted", { id: "cus_1", deleted_at: "2026-12-01T00:00:00.000Z" }), [module("customer", "deleted", { id: "cus_1" }), workflow("deleted", "cus_1")]);
});

t.test("addresses: module events of the customer_address row, with the address id", async (t) => {
  t.same(when("CustomerAddressAdded", { customer_id: "cus_1", address: { id: "cuaddr_1", city: "Oslo" } }), [module("customer_address", "created", { id: "cuaddr_1" })]);
  t.same(when("CustomerAddressUpdated", { customer_id: "cus_1", address_id: "cuaddr_1", changes: {} }), [module("customer_address", "updated", { id: "cuaddr_1" })]);
  t.same(when("CustomerAddressRemoved", { customer_id: "cus_1", address_id: "cuaddr_1" }), [module("customer_address", "deleted", { id: "cuaddr_1" })]);
});

t.test("groups and memberships: module events; a membership's id names its group and customer", async (t) => {
  t.same(when("CustomerGroupCreated", { id: "cusgroup_1", name: "VIP" }), [module("customer_group", "created", { id: "cusgroup_1" })]);
  t.same(when("CustomerGroupUpdated", { id: "cusgroup_1", changes: { name: "V" } }), [module("customer_group", "updated", { id: "cusgroup_1" })]);
  t.same(when("CustomerGroupDeleted", { id: "cusgroup_1" }), [module("customer_group", "deleted", { id: "cusgroup_1" })]);
  const pair = { id: "cusgc_cusgroup_1_cus_1", customer_id: "cus_1", customer_group_id: "cusgroup_1" };
  t.same(when("CustomerAddedToGroup", { customer_id: "cus_1", group_id: "cusgroup_1" }), [module("customer_group_customer", "created", pair)]);
  t.same(when("CustomerRemovedFromGroup", { customer_id: "cus_1", group_id: "cusgroup_1" }), [module("customer_group_customer", "deleted", pair)]);
});

t.test("the creation fences have no Medusa counterpart; every other published type has one", async (t) => {
  t.same(when("CustomerCreationAbandoned", { id: "cus_1" }), []);
  t.same(when("CustomerGroupCreationAbandoned", { id: "cusgroup_1" }), []);
  const mapped = Object.keys(MEDUSA_EMISSIONS).sort();
  t.same(mapped, PUBLISHED_EVENTS.map((entry) => entry.type).filter((type) => !type.endsWith("CreationAbandoned")).sort());
  t.equal(medusaEventNames().length, 14, "3 workflow events and 11 module events");
});

t.test("bus messages: the entity's key, one ce_id per message, Medusa's name as ce_type", async (t) => {
  const event: RecordedEvent = {
    stream: "customer-cus_1",
    revision: 0,
    position: "7",
    type: "CustomerCreated",
    data: { id: "cus_1" },
    metadata: { event_id: "e1", schema_version: 1, occurred_at: "2026-12-01T00:00:00.000Z", correlation_id: "req_1", causation_id: "c1", actor: { id: "user_1", type: "user" } },
    recorded_at: "2026-12-01T00:00:00.001Z",
  };
  const messages = toMedusaBusMessages(event);
  t.same(messages.map((message) => message.key), ["cus_1", "cus_1"]);
  t.same(messages.map((message) => [message.headers.ce_id, message.headers.ce_type]), [["e1:0", "customer.customer.created"], ["e1:1", "customer.created"]]);
  t.same(JSON.parse(messages[1]!.value), workflow("created", "cus_1"));
  t.match(messages[0]!.headers, { ce_source: "urn:medusa-customers:medusa", ce_subject: "customer-cus_1", ce_time: "2026-12-01T00:00:00.000Z", "event-id": "e1" });
});
