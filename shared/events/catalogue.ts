/**
 * The published events: every type and schema version that goes out on the events topic (and
 * the SSE stream), with the schema of its data. This list is the contract's source: the
 * JSON Schemas (eventSchemas.ts), the AsyncAPI document (asyncapi.ts), the CloudEvents
 * `ce_dataschema` of each message and the checks of test/contract/eventContract.test.ts are
 * all made from it.
 *
 * Versioning rules: a version's schema only ever gains optional fields; a change of meaning is
 * a new event type; a new shape of the same meaning is a new version, with an upcaster from
 * the one before (upcasting.ts), and the old version stays listed here for ever.
 */
import type { TSchema } from "typebox";
import * as group from "../customerGroups/eventData.js";
import * as customer from "../customers/eventData.js";

export type PublishedStream = "customer" | "customer_group";

export interface PublishedEventVersion {
  type: string;
  version: number;
  /** The category of the stream it is written to: `customer-<id>` or `customer_group-<id>`. */
  stream: PublishedStream;
  summary: string;
  data: TSchema;
}

export const PUBLISHED_EVENTS: readonly PublishedEventVersion[] = [
  { type: "CustomerCreated", version: 1, stream: "customer", data: customer.CustomerCreatedData, summary: "A customer was created by an admin (has_account false)." },
  {
    type: "CustomerUpdated",
    version: 1,
    stream: "customer",
    data: customer.CustomerUpdatedData,
    summary: "Some of a customer's fields changed; `changes` holds the new value of each.",
  },
  {
    type: "CustomerDeleted",
    version: 1,
    stream: "customer",
    data: customer.CustomerDeletedData,
    summary: "A customer was deleted (a soft delete: it leaves every read and its email is free again).",
  },
  {
    type: "CustomerErased",
    version: 1,
    stream: "customer",
    data: customer.CustomerErasedData,
    summary:
      "A customer's personal data was erased (right to erasure): its data key is destroyed, so the personal fields of its earlier events read as null from now on. Drop every copy you keep of it. Nothing follows on its stream.",
  },
  {
    type: "CustomerCreationAbandoned",
    version: 1,
    stream: "customer",
    data: customer.CustomerCreationAbandonedData,
    summary: "A create that died before writing its customer was fenced off; no customer exists under that id.",
  },
  { type: "CustomerAddressAdded", version: 1, stream: "customer", data: customer.CustomerAddressAddedData, summary: "An address was added to a customer." },
  {
    type: "CustomerAddressUpdated",
    version: 1,
    stream: "customer",
    data: customer.CustomerAddressUpdatedData,
    summary: "Some columns of an address changed (also written when a new default address takes the flag from the old one).",
  },
  {
    type: "CustomerAddressRemoved",
    version: 1,
    stream: "customer",
    data: customer.CustomerAddressRemovedData,
    summary: "An address was removed (a hard delete, as Medusa's).",
  },
  {
    type: "CustomerAddedToGroup",
    version: 1,
    stream: "customer",
    data: customer.CustomerAddedToGroupData,
    summary: "A customer joined a customer group (recorded once; adding a member again records nothing).",
  },
  { type: "CustomerRemovedFromGroup", version: 1, stream: "customer", data: customer.CustomerRemovedFromGroupData, summary: "A customer left a customer group." },
  { type: "CustomerGroupCreated", version: 1, stream: "customer_group", data: group.CustomerGroupCreatedData, summary: "A customer group was created." },
  {
    type: "CustomerGroupUpdated",
    version: 1,
    stream: "customer_group",
    data: group.CustomerGroupUpdatedData,
    summary: "A customer group's name and/or metadata changed.",
  },
  {
    type: "CustomerGroupDeleted",
    version: 1,
    stream: "customer_group",
    data: group.CustomerGroupDeletedData,
    summary: "A customer group was deleted (it leaves every read, no longer shows on its members, and its name is free again).",
  },
  {
    type: "CustomerGroupCreationAbandoned",
    version: 1,
    stream: "customer_group",
    data: group.CustomerGroupCreationAbandonedData,
    summary: "A group create that died after reserving its name was fenced off; no group exists under that id.",
  },
];

/** The version new events of a type are written in: the highest listed. */
export function currentVersionOf(type: string): number | undefined {
  let current: number | undefined;
  for (const entry of PUBLISHED_EVENTS) if (entry.type === type && (current === undefined || entry.version > current)) current = entry.version;
  return current;
}

export function publishedEvent(type: string, version: number): PublishedEventVersion | undefined {
  return PUBLISHED_EVENTS.find((entry) => entry.type === type && entry.version === version);
}
