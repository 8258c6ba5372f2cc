/**
 * The events a subscriber receives, typed: the envelope of the events topic with `type` and
 * `data` as the domain declares them (shared/customers, shared/customerGroups), in their
 * current version (older ones are upcast on decoding).
 */
import type { CustomerGroupEvent } from "../customerGroups/group.js";
import type { CustomerEvent } from "../customers/customer.js";
import type { EventEnvelope } from "../events/envelope.js";

type DomainEvent = CustomerEvent | CustomerGroupEvent;

export type SubscribedEvent = {
  [T in DomainEvent["type"]]: Omit<EventEnvelope, "type" | "data"> & Extract<DomainEvent, { type: T }>;
}[DomainEvent["type"]];

export type EventType = SubscribedEvent["type"];

export type EventOfType<T extends EventType> = Extract<SubscribedEvent, { type: T }>;
