/**
 * Unique group names (case-sensitive, among live groups, as Medusa's unique index), enforced
 * on the write side with a reservation stream per name (shared/reservations).
 */
import { createHash } from "node:crypto";
import { type HolderStanding, type ReservationDecision, decideReservation } from "../reservations/decideReservation.js";
import type { CustomerGroupState } from "./group.js";
import { Failure } from "../errors.js";

type ReleaseReason = "group_deleted" | "name_changed" | "creation_abandoned";

export type CustomerGroupNameEvent =
  | { type: "CustomerGroupNameReserved"; data: { name: string; group_id: string; reserved_at: string } }
  | { type: "CustomerGroupNameReleased"; data: { name: string; group_id: string; released_at: string; reason: ReleaseReason } };

export type CustomerGroupNameState = { holder: { group_id: string; reserved_at: string } | null };

export const initialCustomerGroupNameState = (): CustomerGroupNameState => ({ holder: null });

export function evolveCustomerGroupName(state: CustomerGroupNameState, event: CustomerGroupNameEvent): CustomerGroupNameState {
  switch (event.type) {
    case "CustomerGroupNameReserved":
      return { holder: { group_id: event.data.group_id, reserved_at: event.data.reserved_at } };
    case "CustomerGroupNameReleased":
      return state.holder?.group_id === event.data.group_id ? { holder: null } : state;
  }
}

export class CustomerGroupNameTaken extends Failure {
  override readonly name = "CustomerGroupNameTaken";
  readonly kind = "taken";
  constructor(readonly groupName: string) {
    super(`Customer group with name: ${groupName}, already exists.`);
  }
}

export function decideGroupNameReservation(
  request: { name: string; group_id: string; now: Date; pending_grace_ms: number },
  state: CustomerGroupNameState,
  holder?: CustomerGroupState,
): ReservationDecision<CustomerGroupNameEvent> {
  const { name, group_id, now } = request;
  return decideReservation<CustomerGroupNameEvent, ReleaseReason>(
    { holder_id: group_id, now, pending_grace_ms: request.pending_grace_ms },
    state.holder && { holder_id: state.holder.group_id, reserved_at: state.holder.reserved_at },
    {
      reserved: () => ({ type: "CustomerGroupNameReserved", data: { name, group_id, reserved_at: now.toISOString() } }),
      released: (holderId, reason) => ({ type: "CustomerGroupNameReleased", data: { name, group_id: holderId, released_at: now.toISOString(), reason } }),
    },
    holder && standingOf(holder, name),
  );
}

function standingOf(holder: CustomerGroupState, name: string): HolderStanding<ReleaseReason> {
  switch (holder.status) {
    case "active":
      return holder.group.name === name ? { kind: "holds" } : { kind: "moved-on", reason: "name_changed" };
    case "deleted":
      return { kind: "moved-on", reason: "group_deleted" };
    case "absent":
      return { kind: "absent" };
    case "abandoned":
      return { kind: "abandoned" };
  }
}

export function decideGroupNameRelease(
  request: { name: string; group_id: string; reason: ReleaseReason; now: Date },
  state: CustomerGroupNameState,
): CustomerGroupNameEvent[] {
  if (state.holder?.group_id !== request.group_id) return [];
  const { name, group_id, reason, now } = request;
  return [{ type: "CustomerGroupNameReleased", data: { name, group_id, released_at: now.toISOString(), reason } }];
}

export function groupNameReservationStreamName(name: string): string {
  return `customer_group_name-${createHash("sha256").update(name).digest("base64url")}`;
}
