/**
 * Unique admin emails, and finding a user by email without a read model: each email in
 * use owns a reservation stream naming the user that holds it (the pattern is in
 * shared/reservations/decideReservation.ts). Emails are compared exactly, as Medusa's
 * emailpass provider does. Users are never deleted, so the only way to lose an email is a
 * create that died after reserving it (fenced with UserCreationAbandoned).
 */
import { createHash } from "node:crypto";
import { type HolderStanding, type ReservationDecision, decideReservation } from "../reservations/decideReservation.js";
import type { UserState } from "./user.js";

export type UserEmailReserved = { type: "UserEmailReserved"; data: { email: string; user_id: string; reserved_at: string } };
export type UserEmailReleased = {
  type: "UserEmailReleased";
  data: { email: string; user_id: string; released_at: string; reason: "creation_abandoned" };
};
export type UserEmailEvent = UserEmailReserved | UserEmailReleased;

export type UserEmailState = { holder: { user_id: string; reserved_at: string } | null };

export const initialUserEmailState = (): UserEmailState => ({ holder: null });

export function evolveUserEmail(state: UserEmailState, event: UserEmailEvent): UserEmailState {
  switch (event.type) {
    case "UserEmailReserved":
      return { holder: { user_id: event.data.user_id, reserved_at: event.data.reserved_at } };
    case "UserEmailReleased":
      return state.holder?.user_id === event.data.user_id ? { holder: null } : state;
  }
}

export interface ReserveUserEmail {
  type: "ReserveUserEmail";
  data: { email: string; user_id: string; now: Date; pending_grace_ms: number };
}

/** `holder` is the holding user's state, once the caller has loaded it ("check-holder"). */
export function decideUserEmailReservation(command: ReserveUserEmail, state: UserEmailState, holder?: UserState): ReservationDecision<UserEmailEvent> {
  const { email, user_id, now, pending_grace_ms } = command.data;
  return decideReservation<UserEmailEvent, never>(
    { holder_id: user_id, now, pending_grace_ms },
    state.holder && { holder_id: state.holder.user_id, reserved_at: state.holder.reserved_at },
    {
      reserved: () => ({ type: "UserEmailReserved", data: { email, user_id, reserved_at: now.toISOString() } }),
      released: (holderId, reason) => ({
        type: "UserEmailReleased",
        data: { email, user_id: holderId, released_at: now.toISOString(), reason: reason as "creation_abandoned" },
      }),
    },
    holder && standingOf(holder),
  );
}

function standingOf(holder: UserState): HolderStanding<never> {
  return { kind: holder.status === "active" ? "holds" : holder.status };
}

/** Hashed so that any email makes a short, safe stream name; the email itself is in the events. */
export function userEmailStreamName(email: string): string {
  return `user_email-${createHash("sha256").update(email).digest("base64url")}`;
}
