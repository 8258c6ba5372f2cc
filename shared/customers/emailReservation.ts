/**
 * Unique (email, has_account), enforced on the write side.
 *
 * Medusa guards customers with a unique index on (email, has_account). An event store has
 * no such index, so every email in use owns a reservation stream (the pattern is in
 * shared/reservations/decideReservation.ts). Emails are compared exactly, as Medusa does.
 * A stalled create is fenced with CustomerCreationAbandoned; deleting a customer or
 * changing its email releases the reservation, and a lost release is made good by the next
 * create of that email.
 */
import { createHash, createHmac } from "node:crypto";
import { type HolderStanding, type ReservationDecision, decideReservation } from "../reservations/decideReservation.js";
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

/**
 * `holder` is the state of the customer holding the reservation, when the caller has
 * loaded it (after a "check-holder" decision).
 */
export function decideEmailReservation(
  command: ReserveEmail,
  state: EmailReservationState,
  holder?: CustomerState,
): ReservationDecision<EmailReservationEvent> {
  const { email, has_account, customer_id, now, pending_grace_ms } = command.data;
  return decideReservation<EmailReservationEvent, ReleaseReason>(
    { holder_id: customer_id, now, pending_grace_ms },
    state.holder && { holder_id: state.holder.customer_id, reserved_at: state.holder.reserved_at },
    {
      reserved: () => ({ type: "CustomerEmailReserved", data: { email, has_account, customer_id, reserved_at: now.toISOString() } }),
      released: (holderId, reason) => ({
        type: "CustomerEmailReleased",
        data: { email, has_account, customer_id: holderId, released_at: now.toISOString(), reason },
      }),
    },
    holder && standingOf(holder, email, has_account),
  );
}

function standingOf(holder: CustomerState, email: string, hasAccount: boolean): HolderStanding<ReleaseReason> {
  switch (holder.status) {
    case "active":
      return holder.customer.email === email && holder.customer.has_account === hasAccount ? { kind: "holds" } : { kind: "moved-on", reason: "email_changed" };
    case "deleted":
    case "erased":
      return { kind: "moved-on", reason: "customer_deleted" };
    case "absent":
      return { kind: "absent" };
    case "abandoned":
      return { kind: "abandoned" };
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
 * Stream names carry no personal data, and a plain hash of an email is personal data:
 * anyone can hash a list of emails and see which are customers. So a reservation stream is
 * named by an HMAC under a secret index key; the email itself is in the events. The prefix
 * does not start with the legacy one below, so a read by prefix tells the two apart.
 */
export const EMAIL_RESERVATION_STREAM_PREFIX = "customer_email_h-";

/** Reservations made before the HMAC naming, named by a plain sha256: read, never written. */
export const LEGACY_EMAIL_RESERVATION_STREAM_PREFIX = "customer_email-";

/** One stream per (email, has_account), short and safe however long or odd the email. */
export function emailReservationStreamName(indexKey: Buffer, email: string, hasAccount: boolean): string {
  const digest = createHmac("sha256", indexKey).update(reservedValue(email, hasAccount)).digest("base64url");
  return `${EMAIL_RESERVATION_STREAM_PREFIX}${digest}`;
}

/** Where the same (email, has_account) was reserved before the HMAC naming. */
export function legacyEmailReservationStreamName(email: string, hasAccount: boolean): string {
  const digest = createHash("sha256").update(reservedValue(email, hasAccount)).digest("base64url");
  return `${LEGACY_EMAIL_RESERVATION_STREAM_PREFIX}${digest}`;
}

const reservedValue = (email: string, hasAccount: boolean) => `${hasAccount ? 1 : 0}:${email}`;

/**
 * An index key anyone can derive (an HMAC of a fixed string under an all-zero key): names
 * made with it are no more private than a plain hash. Only for a process given no key.
 */
export function publicEmailIndexKey(): Buffer {
  return createHmac("sha256", Buffer.alloc(32)).update("customer-email-index").digest();
}
