/**
 * Unique (email, has_account), enforced on the write side.
 *
 * Medusa guards customers with a unique index on (email, has_account). An event store has
 * no such index, so every email in use owns a reservation stream; the first writer to append
 * to it (with an expected revision) wins. Emails are compared exactly, as Medusa does.
 *
 * A create reserves first and appends the customer second. If it dies in between, the
 * reservation points at a customer that never came to be. A later create that finds such an
 * old reservation checks the holder: when the holder has no stream it fences it
 * (CustomerCreationAbandoned, appended with "no stream"), which makes the stalled create
 * fail for good, and then takes the reservation over. Fresh reservations are trusted for a
 * grace period so that in-flight creates are not fenced.
 *
 * Deleting a customer or changing its email releases the reservation in the normal course.
 * Should that release be lost to a crash, the reservation's holder no longer has the email
 * (or is deleted), which the next create of that email finds when it checks the holder, and
 * takes the reservation over.
 */
import { createHash } from "node:crypto";
import type { CustomerState } from "./customer.js";

export type CustomerEmailReserved = {
  type: "CustomerEmailReserved";
  data: { email: string; has_account: boolean; customer_id: string; reserved_at: string };
};

export type CustomerEmailReleased = {
  type: "CustomerEmailReleased";
  data: {
    email: string;
    has_account: boolean;
    customer_id: string;
    released_at: string;
    reason: ReleaseReason;
  };
};

export type ReleaseReason = "creation_abandoned" | "customer_deleted" | "email_changed";

export type EmailReservationEvent = CustomerEmailReserved | CustomerEmailReleased;

export type EmailReservationState = {
  holder: { customer_id: string; reserved_at: string } | null;
};

export const initialEmailReservationState = (): EmailReservationState => ({ holder: null });

export function evolveEmailReservation(
  state: EmailReservationState,
  event: EmailReservationEvent,
): EmailReservationState {
  switch (event.type) {
    case "CustomerEmailReserved":
      return { holder: { customer_id: event.data.customer_id, reserved_at: event.data.reserved_at } };
    case "CustomerEmailReleased":
      return state.holder?.customer_id === event.data.customer_id ? { holder: null } : state;
  }
}

export interface ReserveEmail {
  type: "ReserveEmail";
  data: {
    email: string;
    has_account: boolean;
    customer_id: string;
    now: Date;
    /** How long a reservation without a customer is trusted to be an in-flight create. */
    pending_grace_ms: number;
  };
}

export type EmailReservationDecision =
  | { outcome: "reserve"; events: EmailReservationEvent[] }
  | { outcome: "taken" }
  /** Load the holder's customer stream and decide again with it. */
  | { outcome: "check-holder"; customer_id: string }
  /** The holder never appeared: fence its stream, then decide again. */
  | { outcome: "fence-holder"; customer_id: string };

/**
 * `holder` is the state of the customer holding the reservation, when the caller has
 * loaded it (after a "check-holder" decision).
 */
export function decideEmailReservation(
  command: ReserveEmail,
  state: EmailReservationState,
  holder?: CustomerState,
): EmailReservationDecision {
  const { email, has_account, customer_id, now, pending_grace_ms } = command.data;
  const reserved: CustomerEmailReserved = {
    type: "CustomerEmailReserved",
    data: { email, has_account, customer_id, reserved_at: now.toISOString() },
  };
  const current = state.holder;
  if (current === null) return { outcome: "reserve", events: [reserved] };
  if (current.customer_id === customer_id) return { outcome: "reserve", events: [] };

  if (holder === undefined) {
    const age = now.getTime() - Date.parse(current.reserved_at);
    return age < pending_grace_ms ? { outcome: "taken" } : { outcome: "check-holder", customer_id: current.customer_id };
  }
  const release = (reason: ReleaseReason): EmailReservationDecision => ({
    outcome: "reserve",
    events: [
      {
        type: "CustomerEmailReleased",
        data: { email, has_account, customer_id: current.customer_id, released_at: now.toISOString(), reason },
      },
      reserved,
    ],
  });
  switch (holder.status) {
    case "active":
      return holder.customer.email === email && holder.customer.has_account === has_account ? { outcome: "taken" } : release("email_changed");
    case "deleted":
      return release("customer_deleted");
    case "absent":
      return { outcome: "fence-holder", customer_id: current.customer_id };
    case "abandoned":
      return release("creation_abandoned");
  }
}

export interface ReleaseEmail {
  type: "ReleaseEmail";
  data: { email: string; has_account: boolean; customer_id: string; reason: ReleaseReason; now: Date };
}

/** Frees the email if `customer_id` holds it; otherwise there is nothing of its to release. */
export function decideEmailRelease(command: ReleaseEmail, state: EmailReservationState): EmailReservationEvent[] {
  const { email, has_account, customer_id, reason, now } = command.data;
  if (state.holder?.customer_id !== customer_id) return [];
  return [{ type: "CustomerEmailReleased", data: { email, has_account, customer_id, released_at: now.toISOString(), reason } }];
}

/**
 * One stream per (email, has_account). Hashed so that any email, however long or odd,
 * makes a short, safe stream name; the email itself is in the events.
 */
export function emailReservationStreamName(email: string, hasAccount: boolean): string {
  const digest = createHash("sha256").update(`${hasAccount ? 1 : 0}:${email}`).digest("base64url");
  return `customer_email-${digest}`;
}
