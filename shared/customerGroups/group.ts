/**
 * The customer-group aggregate: its events, state, `evolve` and decisions. Pure.
 * Membership is recorded on the customer's stream (shared/customers/membership.ts).
 */
import { isDeepStrictEqual } from "node:util";
import type { Static } from "typebox";
import { type Metadata, checkMetadata, checkMetadataKeys, mergeMetadata } from "../metadata.js";
import { Failure } from "../errors.js";
import type {
  CustomerGroupCreatedData,
  CustomerGroupCreationAbandonedData,
  CustomerGroupDeletedData,
  CustomerGroupFieldsSchema,
  CustomerGroupUpdatedData,
} from "./eventData.js";

export type CustomerGroupFields = Static<typeof CustomerGroupFieldsSchema>;

export type CustomerGroupCreated = { type: "CustomerGroupCreated"; data: Static<typeof CustomerGroupCreatedData> };
export type CustomerGroupUpdated = { type: "CustomerGroupUpdated"; data: Static<typeof CustomerGroupUpdatedData> };
export type CustomerGroupDeleted = { type: "CustomerGroupDeleted"; data: Static<typeof CustomerGroupDeletedData> };
/** Fences a create that died after reserving its name (see shared/reservations). */
export type CustomerGroupCreationAbandoned = { type: "CustomerGroupCreationAbandoned"; data: Static<typeof CustomerGroupCreationAbandonedData> };

export type CustomerGroupEvent = CustomerGroupCreated | CustomerGroupUpdated | CustomerGroupDeleted | CustomerGroupCreationAbandoned;

export type CustomerGroupState =
  | { status: "absent" }
  | { status: "active"; group: CustomerGroupFields }
  | { status: "deleted"; group: CustomerGroupFields }
  | { status: "abandoned" };

export const initialCustomerGroupState = (): CustomerGroupState => ({ status: "absent" });

export function evolveCustomerGroup(state: CustomerGroupState, event: CustomerGroupEvent): CustomerGroupState {
  switch (event.type) {
    case "CustomerGroupCreated":
      return { status: "active", group: event.data };
    case "CustomerGroupUpdated":
      return state.status === "active" ? { status: "active", group: { ...state.group, ...event.data.changes } } : state;
    case "CustomerGroupDeleted":
      return state.status === "active" ? { status: "deleted", group: state.group } : state;
    case "CustomerGroupCreationAbandoned":
      return state.status === "absent" ? { status: "abandoned" } : state;
  }
}

export const customerGroupStreamName = (groupId: string): string => `customer_group-${groupId}`;

/** Streams of this prefix are the group events published to subscribers. */
export const CUSTOMER_GROUP_STREAM_PREFIX = "customer_group-";

/** Medusa's messages: GET's form, and the update route's form (double quotes, no colon). */
export class CustomerGroupNotFound extends Failure {
  override readonly name = "CustomerGroupNotFound";
  readonly kind = "not_found";
  constructor(readonly groupId: string) {
    super(`Customer group with id "${groupId}" not found`);
  }
}

export class CustomerGroupAlreadyExists extends Failure {
  override readonly name = "CustomerGroupAlreadyExists";
  readonly kind = "taken";
  constructor(readonly groupId: string) {
    super(`Customer group with id: ${groupId} already exists.`);
  }
}

export interface CreateCustomerGroup {
  type: "CreateCustomerGroup";
  data: { id: string; name: string; metadata?: Metadata | null; created_by: string; now: Date };
}

export function decideCreateCustomerGroup(command: CreateCustomerGroup, state: CustomerGroupState): CustomerGroupEvent[] {
  const { id, name, metadata, created_by, now } = command.data;
  if (state.status !== "absent") throw new CustomerGroupAlreadyExists(id);
  checkMetadata("metadata", metadata);
  return [{ type: "CustomerGroupCreated", data: { id, name, metadata: metadata ?? null, created_by, created_at: now.toISOString() } }];
}

export interface UpdateCustomerGroup {
  type: "UpdateCustomerGroup";
  data: { id: string; name?: string; metadata?: Metadata | null; now: Date };
}

export function decideUpdateCustomerGroup(command: UpdateCustomerGroup, state: CustomerGroupState): CustomerGroupEvent[] {
  const { id, name, metadata, now } = command.data;
  checkMetadataKeys("metadata", metadata);
  if (state.status !== "active") throw new CustomerGroupNotFound(id);
  const changes: CustomerGroupUpdated["data"]["changes"] = {};
  if (name !== undefined && name !== state.group.name) changes.name = name;
  const merged = mergeMetadata(state.group.metadata, metadata);
  if (!isDeepStrictEqual(merged, state.group.metadata)) changes.metadata = merged;
  if (Object.keys(changes).length === 0) return [];
  if ("metadata" in changes) checkMetadata("metadata", changes.metadata);
  return [{ type: "CustomerGroupUpdated", data: { id, changes, updated_at: now.toISOString() } }];
}

export interface DeleteCustomerGroup {
  type: "DeleteCustomerGroup";
  data: { id: string; now: Date };
}

/** Soft; unknown or deleted groups are left alone (Medusa answers 200 either way). */
export function decideDeleteCustomerGroup(command: DeleteCustomerGroup, state: CustomerGroupState): CustomerGroupEvent[] {
  if (state.status !== "active") return [];
  return [{ type: "CustomerGroupDeleted", data: { id: command.data.id, deleted_at: command.data.now.toISOString() } }];
}
