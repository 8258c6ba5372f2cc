/**
 * What the routes answer, as TypeBox schemas: each route's `response`, the source of the
 * OpenAPI document (openapi.ts). Answers are still written with JSON.stringify, not through
 * these schemas (see app.ts), so they never change what is sent. `fields` can leave any field
 * out, so only `id` is required of a customer, an address or a group.
 */
import { type TSchema, Type } from "typebox";

const text = Type.Union([Type.String(), Type.Null()]);
const timestamp = Type.String({ format: "date-time" });
const metadata = Type.Union([Type.Record(Type.String(), Type.Unknown()), Type.Null()]);

const addressFields = {
  id: Type.String(),
  address_name: text,
  is_default_shipping: Type.Boolean(),
  is_default_billing: Type.Boolean(),
  company: text,
  first_name: text,
  last_name: text,
  address_1: text,
  address_2: text,
  city: text,
  country_code: text,
  province: text,
  postal_code: text,
  phone: text,
  metadata,
  customer_id: Type.String(),
  created_at: timestamp,
  updated_at: timestamp,
  deleted_at: Type.Union([timestamp, Type.Null()]),
};

const customerFields = {
  id: Type.String(),
  company_name: text,
  first_name: text,
  last_name: text,
  email: text,
  phone: text,
  metadata,
  has_account: Type.Boolean(),
  created_by: text,
  created_at: timestamp,
  updated_at: timestamp,
  deleted_at: Type.Union([timestamp, Type.Null()]),
};

const groupFields = {
  id: Type.String(),
  name: text,
  metadata,
  created_by: text,
  created_at: timestamp,
  updated_at: timestamp,
  deleted_at: Type.Union([timestamp, Type.Null()]),
};

const optional = <T extends Record<string, TSchema>>(fields: T) =>
  Object.fromEntries(Object.entries(fields).map(([key, schema]) => [key, Type.Optional(schema)])) as { [K in keyof T]: ReturnType<typeof Type.Optional<T[K]>> };

/** As listed inside another document (`*addresses`, `*groups`, `*customers`): any field may be left out. */
const NestedAddress = Type.Object(optional(addressFields));
const NestedGroup = Type.Object(optional(groupFields));
const NestedCustomer = Type.Object(optional(customerFields));

export const CustomerAddressSchema = Type.Object({ ...optional(addressFields), id: Type.String() }, { $id: "CustomerAddress" });
export const CustomerGroupSchema = Type.Object({ ...optional(groupFields), id: Type.String(), customers: Type.Optional(Type.Array(NestedCustomer)) }, { $id: "CustomerGroup" });
export const CustomerSchema = Type.Object(
  { ...optional(customerFields), id: Type.String(), addresses: Type.Optional(Type.Array(NestedAddress)), groups: Type.Optional(Type.Array(NestedGroup)) },
  { $id: "Customer" },
);

const page = { count: Type.Integer({ minimum: 0 }), offset: Type.Integer({ minimum: 0 }), limit: Type.Integer({ minimum: 0 }) };
/** A shared schema (registered with addSchema, named by its $id in the document). */
const ref = (id: string) => ({ $ref: `${id}#` });

export const CustomerAnswer = Type.Object({ customer: ref("Customer") });
/** Routes that answer `{}` when Medusa's refetch finds nothing (an unknown customer). */
export const CustomerOrNothingAnswer = Type.Object({ customer: Type.Optional(ref("Customer")) });
export const CustomerListAnswer = Type.Object({ customers: Type.Array(ref("Customer")), ...page });
/** An address of an unknown customer, or an unknown address, answers `{}`, as in Medusa. */
export const AddressOrNothingAnswer = Type.Object({ address: Type.Optional(ref("CustomerAddress")) });
export const AddressListAnswer = Type.Object({ addresses: Type.Array(ref("CustomerAddress")), ...page });
export const AddressDeletedAnswer = Type.Object({ id: Type.String(), object: Type.Literal("customer_address"), deleted: Type.Literal(true), parent: Type.Optional(ref("Customer")) });
export const GroupAnswer = Type.Object({ customer_group: ref("CustomerGroup") });
export const GroupOrNothingAnswer = Type.Object({ customer_group: Type.Optional(ref("CustomerGroup")) });
export const GroupListAnswer = Type.Object({ customer_groups: Type.Array(ref("CustomerGroup")), ...page });
export const DeletedAnswer = (object: string) => Type.Object({ id: Type.String(), object: Type.Literal(object), deleted: Type.Literal(true) });
export const ErasedAnswer = Type.Object({ id: Type.String(), object: Type.Literal("customer"), erased: Type.Literal(true) });
export const TokenAnswer = Type.Object({ token: Type.String() });
/** The session's auth context (the token's claims). */
export const SessionAnswer = Type.Object({ user: Type.Record(Type.String(), Type.Unknown()) });
export const LoggedOutAnswer = Type.Object({ success: Type.Literal(true) });

/** One change of a history entry; a related item's field is a path (`addresses.cuaddr_01.city`). */
const FieldChangeSchema = Type.Object({ field: Type.String(), before: Type.Unknown(), after: Type.Unknown() });
export const HistoryEntrySchema = Type.Object(
  {
    id: Type.String({ description: "The event's id" }),
    revision: Type.Optional(Type.Integer({ minimum: 0, description: "The event's place in its stream, from 0" })),
    type: Type.Optional(Type.String({ description: "The event's type, as in the README's event catalogue" })),
    occurred_at: Type.Optional(timestamp),
    created_by: Type.Optional(Type.String({ description: "Who caused it: a user (`user_...`) or a secret API key (`apk_...`)" })),
    changes: Type.Optional(Type.Array(FieldChangeSchema)),
    actor_type: Type.Optional(Type.String()),
    recorded_at: Type.Optional(timestamp),
    correlation_id: Type.Optional(Type.String({ description: "The request that caused it (its x-request-id)" })),
    causation_id: Type.Optional(Type.String()),
    schema_version: Type.Optional(Type.Integer()),
  },
  { $id: "HistoryEntry" },
);
export const HistoryAnswer = Type.Object({ history: Type.Array(ref("HistoryEntry")), ...page });

const Position = Type.Union([Type.String(), Type.Null()], { description: "A position in the event store's log (SQLite: its sequence; KurrentDB: `commit/prepare`; PostgreSQL: `transaction/position`)" });
const RebuildSchema = Type.Object({
  generation: Type.Integer({ description: "The generation being built; it serves once the rebuild is done" }),
  state: Type.Union([Type.Literal("building"), Type.Literal("switching"), Type.Literal("done"), Type.Literal("failed")]),
  started_at: timestamp,
  finished_at: Type.Union([timestamp, Type.Null()]),
  position: Position,
  head_position: { ...Position, description: "The log's head when the rebuild started" },
  events: Type.Integer({ minimum: 0, description: "Events projected into the new generation so far" }),
  events_per_second: Type.Integer({ minimum: 0 }),
  eta_seconds: Type.Union([Type.Integer({ minimum: 0 }), Type.Null()], { description: "Seconds left at the current rate; null until there is a rate" }),
  progress: Type.Number({ minimum: 0, maximum: 1 }),
  error: Type.Union([Type.String(), Type.Null()]),
});
export const ProjectionSchema = Type.Object(
  {
    id: Type.String({ description: "The projection: `customers`, the read model of customers and groups" }),
    generation: Type.Integer({ minimum: 0, description: "The generation of documents serving reads" }),
    position: { ...Position, description: "The log position the serving generation has reached" },
    head_position: { ...Position, description: "The newest position of the events it projects" },
    rebuild: Type.Union([RebuildSchema, Type.Null()], { description: "The rebuild running, or the last one since the service started" }),
  },
  { $id: "Projection" },
);
export const ProjectionListAnswer = Type.Object({ projections: Type.Array(ref("Projection")) });
export const ProjectionAnswer = Type.Object({ projection: ref("Projection") });

/** Medusa's error body. */
export const ErrorSchema = Type.Object({ type: Type.String(), message: Type.String(), code: Type.Optional(Type.String()) }, { $id: "Error" });
/** Every authentication failure: Medusa's bare body. */
export const UnauthorizedSchema = Type.Object({ message: Type.String() }, { $id: "Unauthorized" });

export const COMPONENT_SCHEMAS = [CustomerSchema, CustomerAddressSchema, CustomerGroupSchema, HistoryEntrySchema, ProjectionSchema, ErrorSchema, UnauthorizedSchema];
