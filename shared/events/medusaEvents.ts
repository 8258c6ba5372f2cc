/**
 * The events Medusa 2.21's own event bus emits for the same changes, for the second topic: a
 * subscriber written for Medusa (`event.name`, `event.data.id`) ports over by reading these.
 *
 * Medusa emits two kinds, both with `{ id }` data (read from @medusajs/utils, customer and
 * core-flows 2.21.2):
 * - workflow events, which its documentation lists: `customer.created`, `customer.updated`,
 *   `customer.deleted` (the customer workflows' emitEventStep; metadata holds the event group);
 * - module events, which the customer module emits for every row it creates, updates or
 *   deletes (MedusaService.interceptEntityMutationEvents): `customer.<entity>.<action>`, the
 *   entity being the model's name in kebab case (`customer`, `customer-address`,
 *   `customer-group`, `customer-group-customer`), sent with `options.internal: true`, and
 *   metadata `{ source: "customer", object: <the model's name in snake case>, action }`.
 * Module events come first, as in Medusa, where they are sent when the module's method returns
 * and the workflow's at its end. A membership has no row of its own here, so its `id` is made
 * from the group and customer ids, and its data also names both, as the pivot row's columns do.
 */
export interface MedusaEventMessage {
  name: string;
  data: { id: string } & Record<string, string>;
  metadata: { source?: "customer"; object?: string; action?: string; eventGroupId?: string };
  options?: { internal: true };
}

type MedusaObject = "customer" | "customer_address" | "customer_group" | "customer_group_customer";
type Action = "created" | "updated" | "deleted";

interface Emission {
  /** Module event: the model's snake-case name; workflow event: absent. */
  object?: MedusaObject;
  action: Action;
  /** The id of the row (or, for memberships, the pair) from the event's data. */
  id: (data: Record<string, unknown>) => string;
  extra?: (data: Record<string, unknown>) => Record<string, string>;
}

const field = (name: string) => (data: Record<string, unknown>) => String(data[name]);
const addressId = (data: Record<string, unknown>) => String((data.address as { id?: unknown } | undefined)?.id ?? data.address_id);
/** A membership's id: its group's and its customer's, which identify it for as long as it lasts. */
export const membershipId = (groupId: string, customerId: string): string => `cusgc_${groupId}_${customerId}`;
const membership = (data: Record<string, unknown>) => membershipId(String(data.group_id), String(data.customer_id));
const membershipColumns = (data: Record<string, unknown>) => ({ customer_id: String(data.customer_id), customer_group_id: String(data.group_id) });

const customerRow = (action: Action): Emission[] => [
  { object: "customer", action, id: field("id") },
  { action, id: field("id") },
];

/** What each published event becomes on Medusa's bus; a type not listed (the creation fences) becomes nothing. */
export const MEDUSA_EMISSIONS: Readonly<Record<string, readonly Emission[]>> = {
  CustomerCreated: customerRow("created"),
  CustomerUpdated: customerRow("updated"),
  CustomerDeleted: customerRow("deleted"),
  // Medusa has no erasure; its subscribers know a deleted customer as one to forget. Sent for
  // an already deleted customer too: a subscriber's copy of it must go either way.
  CustomerErased: customerRow("deleted"),
  CustomerAddressAdded: [{ object: "customer_address", action: "created", id: addressId }],
  CustomerAddressUpdated: [{ object: "customer_address", action: "updated", id: addressId }],
  CustomerAddressRemoved: [{ object: "customer_address", action: "deleted", id: addressId }],
  CustomerAddedToGroup: [{ object: "customer_group_customer", action: "created", id: membership, extra: membershipColumns }],
  CustomerRemovedFromGroup: [{ object: "customer_group_customer", action: "deleted", id: membership, extra: membershipColumns }],
  CustomerGroupCreated: [{ object: "customer_group", action: "created", id: field("id") }],
  CustomerGroupUpdated: [{ object: "customer_group", action: "updated", id: field("id") }],
  CustomerGroupDeleted: [{ object: "customer_group", action: "deleted", id: field("id") }],
};

/** Medusa's name for an emission: `customer.created`, or `customer.customer-address.created`. */
export function medusaEventName(emission: Pick<Emission, "object" | "action">): string {
  return emission.object ? `customer.${emission.object.replaceAll("_", "-")}.${emission.action}` : `customer.${emission.action}`;
}

/** Every name the topic can carry, in the order of MEDUSA_EMISSIONS. */
export function medusaEventNames(): string[] {
  return [...new Set(Object.values(MEDUSA_EMISSIONS).flatMap((emissions) => emissions.map(medusaEventName)))];
}

/** The Medusa messages of one event of ours, with the request that caused it as Medusa's event group. */
export function medusaEventsOf(event: { type: string; data: unknown; correlationId?: string }): MedusaEventMessage[] {
  const emissions = MEDUSA_EMISSIONS[event.type] ?? [];
  const data = (event.data ?? {}) as Record<string, unknown>;
  const group = event.correlationId ? { eventGroupId: event.correlationId } : {};
  return emissions.map((emission) => ({
    name: medusaEventName(emission),
    data: { id: emission.id(data), ...emission.extra?.(data) },
    metadata: emission.object ? { source: "customer", object: emission.object, action: emission.action, ...group } : { ...group },
    ...(emission.object && { options: { internal: true as const } }),
  }));
}
