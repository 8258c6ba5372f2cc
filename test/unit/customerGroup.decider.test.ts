import t, { type Test } from "tap";
import {
  type CustomerGroupEvent,
  CustomerGroupAlreadyExists,
  CustomerGroupNotFound,
  decideCreateCustomerGroup,
  decideDeleteCustomerGroup,
  decideUpdateCustomerGroup,
  evolveCustomerGroup,
  initialCustomerGroupState,
} from "../../shared/customerGroups/group.js";
import {
  type CustomerGroupNameEvent,
  decideGroupNameRelease,
  decideGroupNameReservation,
  evolveCustomerGroupName,
  groupNameReservationStreamName,
  initialCustomerGroupNameState,
} from "../../shared/customerGroups/nameReservation.js";
import { type CustomerEvent, evolveCustomer, initialCustomerState } from "../../shared/customers/customer.js";
import { RelatedEntityNotFound } from "../../shared/customers/errors.js";
import { decideChangeMemberships } from "../../shared/customers/membership.js";
import { deciderSpec } from "../support/decider.js";

const now = new Date("2026-03-01T00:00:00.000Z");
const created: CustomerGroupEvent = {
  type: "CustomerGroupCreated",
  data: { id: "cusgroup_1", name: "VIP", metadata: { a: "1" }, created_by: "user_1", created_at: now.toISOString() },
};
const spec = <C>(t: Test, decide: (command: C, state: ReturnType<typeof initialCustomerGroupState>) => CustomerGroupEvent[]) =>
  deciderSpec(t, { decide, evolve: evolveCustomerGroup, initialState: initialCustomerGroupState });

t.test("groups: create, update (name, metadata merged), soft delete", async (t) => {
  spec(t, decideCreateCustomerGroup)
    .given([])
    .when({ type: "CreateCustomerGroup", data: { id: "cusgroup_1", name: "VIP", metadata: { a: "1" }, created_by: "user_1", now } })
    .then([created]);
  spec(t, decideCreateCustomerGroup)
    .given([created])
    .when({ type: "CreateCustomerGroup", data: { id: "cusgroup_1", name: "X", created_by: "user_1", now } })
    .thenThrows(CustomerGroupAlreadyExists);
  spec(t, decideUpdateCustomerGroup)
    .given([created])
    .when({ type: "UpdateCustomerGroup", data: { id: "cusgroup_1", name: "Gold", metadata: { a: null, b: "2" }, now } })
    .then([{ type: "CustomerGroupUpdated", data: { id: "cusgroup_1", changes: { name: "Gold", metadata: { a: null, b: "2" } }, updated_at: now.toISOString() } }]);
  spec(t, decideUpdateCustomerGroup).given([created]).when({ type: "UpdateCustomerGroup", data: { id: "cusgroup_1", name: "VIP", now } }).then([]);
  spec(t, decideUpdateCustomerGroup)
    .given([])
    .when({ type: "UpdateCustomerGroup", data: { id: "cusgroup_1", name: "X", now } })
    .thenThrows(CustomerGroupNotFound, 'Customer group with id "cusgroup_1" not found');
  const deleted: CustomerGroupEvent = { type: "CustomerGroupDeleted", data: { id: "cusgroup_1", deleted_at: now.toISOString() } };
  spec(t, decideDeleteCustomerGroup).given([created]).when({ type: "DeleteCustomerGroup", data: { id: "cusgroup_1", now } }).then([deleted]);
  spec(t, decideDeleteCustomerGroup).given([created, deleted]).when({ type: "DeleteCustomerGroup", data: { id: "cusgroup_1", now } }).then([]);
});

t.test("group names: reserved once, freed by a delete or a rename, case-sensitive", async (t) => {
  const reserved: CustomerGroupNameEvent = { type: "CustomerGroupNameReserved", data: { name: "VIP", group_id: "cusgroup_1", reserved_at: now.toISOString() } };
  const state = [reserved].reduce(evolveCustomerGroupName, initialCustomerGroupNameState());
  const request = (group_id: string, at = now) => ({ name: "VIP", group_id, now: at, pending_grace_ms: 30_000 });
  t.same(decideGroupNameReservation(request("cusgroup_1"), initialCustomerGroupNameState()), { outcome: "reserve", events: [reserved] });
  t.same(decideGroupNameReservation(request("cusgroup_2"), state), { outcome: "taken" });
  const later = new Date(now.getTime() + 60_000);
  t.same(decideGroupNameReservation(request("cusgroup_2", later), state), { outcome: "check-holder", holder_id: "cusgroup_1" });
  const active = [created].reduce(evolveCustomerGroup, initialCustomerGroupState());
  t.same(decideGroupNameReservation(request("cusgroup_2", later), state, active), { outcome: "taken" });
  const renamed = evolveCustomerGroup(active, { type: "CustomerGroupUpdated", data: { id: "cusgroup_1", changes: { name: "Gold" }, updated_at: "x" } });
  t.match(decideGroupNameReservation(request("cusgroup_2", later), state, renamed), { outcome: "reserve", events: [{ type: "CustomerGroupNameReleased", data: { reason: "name_changed" } }, { type: "CustomerGroupNameReserved" }] });
  t.same(decideGroupNameRelease({ name: "VIP", group_id: "cusgroup_1", reason: "group_deleted", now }, state).length, 1);
  t.same(decideGroupNameRelease({ name: "VIP", group_id: "cusgroup_9", reason: "group_deleted", now }, state), []);
  t.not(groupNameReservationStreamName("VIP"), groupNameReservationStreamName("vip"));
});

t.test("membership: recorded on the customer, only live groups, no duplicates", async (t) => {
  const customer: CustomerEvent = {
    type: "CustomerCreated",
    data: { id: "cus_1", email: null, company_name: null, first_name: null, last_name: null, phone: null, metadata: null, has_account: false, created_by: "u", created_at: "x" },
  };
  const state = [customer, { type: "CustomerAddedToGroup", data: { customer_id: "cus_1", group_id: "g1" } } as CustomerEvent].reduce(evolveCustomer, initialCustomerState());
  const live = new Set(["g1", "g2"]);
  t.same(decideChangeMemberships({ type: "ChangeMemberships", data: { customer_id: "cus_1", add: ["g1", "g2", "g2"], remove: ["g1", "g3"] } }, state, live), [
    { type: "CustomerAddedToGroup", data: { customer_id: "cus_1", group_id: "g2" } },
    { type: "CustomerRemovedFromGroup", data: { customer_id: "cus_1", group_id: "g1" } },
  ]);
  t.throws(
    () => decideChangeMemberships({ type: "ChangeMemberships", data: { customer_id: "cus_1", add: ["g9"], remove: [] } }, state, live),
    new RelatedEntityNotFound("customer_group_id", "g9"),
  );
  t.throws(
    () => decideChangeMemberships({ type: "ChangeMemberships", data: { customer_id: "cus_2", add: ["g1"], remove: [] } }, initialCustomerState(), live),
    { message: "You tried to set relationship customer_id: cus_2, but such entity does not exist" },
  );
  t.same(
    decideChangeMemberships({ type: "ChangeMemberships", data: { customer_id: "cus_2", add: [], remove: ["g1"] } }, initialCustomerState(), live),
    [],
    "removing an unknown customer from a group records nothing and is no error",
  );
  t.same(state.status === "active" && state.group_ids, ["g1"]);
});
