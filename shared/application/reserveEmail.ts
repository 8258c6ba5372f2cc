/**
 * Runs the email reservation decider against the event store, retrying when another
 * writer gets to the reservation stream first.
 */
import {
  type CustomerEvent,
  type CustomerState,
  customerStreamName,
  evolveCustomer,
  initialCustomerState,
} from "../customers/customer.js";
import {
  type EmailReservationEvent,
  type EmailReservationState,
  type ReleaseEmail,
  type ReserveEmail,
  decideEmailRelease,
  decideEmailReservation,
  emailReservationStreamName,
  evolveEmailReservation,
  initialEmailReservationState,
} from "../customers/emailReservation.js";
import { ConcurrentWriteConflict, EmailAlreadyTaken } from "../customers/errors.js";
import { type EventStore, WrongExpectedRevision } from "../eventstore/port.js";
import { type CommandContext, toEventsToAppend } from "./context.js";
import { loadStream } from "./loadStream.js";

const MAX_ATTEMPTS = 5;

export async function reserveEmail(store: EventStore, command: ReserveEmail, context: CommandContext): Promise<void> {
  const { email, has_account, now } = command.data;
  const stream = emailReservationStreamName(email, has_account);
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt += 1) {
    const { state, expectedRevision } = await loadStream<EmailReservationState, EmailReservationEvent>(
      store,
      stream,
      evolveEmailReservation,
      initialEmailReservationState,
    );

    let decision = decideEmailReservation(command, state);
    if (decision.outcome === "check-holder") {
      decision = decideEmailReservation(command, state, await loadCustomerState(store, decision.customer_id));
    }
    if (decision.outcome === "fence-holder") {
      if (!(await fenceAbandonedCreate(store, decision.customer_id, context, now))) continue;
      decision = decideEmailReservation(command, state, { status: "abandoned" });
    }
    if (decision.outcome === "taken") throw new EmailAlreadyTaken(email, has_account);
    if (decision.outcome !== "reserve") continue;
    if (decision.events.length === 0) return;
    try {
      await store.appendToStream(stream, toEventsToAppend(decision.events, context, now), { expectedRevision });
      return;
    } catch (error) {
      if (!(error instanceof WrongExpectedRevision)) throw error;
    }
  }
  throw new ConcurrentWriteConflict(stream);
}

async function loadCustomerState(store: EventStore, customerId: string): Promise<CustomerState> {
  return (await loadStream(store, customerStreamName(customerId), evolveCustomer, initialCustomerState)).state;
}

/**
 * Frees an email held by `customer_id` (after a delete or an email change). A failure here
 * leaves a reservation whose holder no longer has the email; the next create of that email
 * takes it over (see emailReservation.ts), so it is logged by the caller, not fatal.
 */
export async function releaseEmail(store: EventStore, command: ReleaseEmail, context: CommandContext): Promise<void> {
  const { email, has_account, now } = command.data;
  const stream = emailReservationStreamName(email, has_account);
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt += 1) {
    const { state, expectedRevision } = await loadStream(store, stream, evolveEmailReservation, initialEmailReservationState);
    const events = decideEmailRelease(command, state);
    if (events.length === 0) return;
    try {
      await store.appendToStream(stream, toEventsToAppend(events, context, now), { expectedRevision });
      return;
    } catch (error) {
      if (!(error instanceof WrongExpectedRevision)) throw error;
    }
  }
  throw new ConcurrentWriteConflict(stream);
}

/** True when the stalled create can no longer complete; false when it completed meanwhile. */
async function fenceAbandonedCreate(store: EventStore, customerId: string, context: CommandContext, now: Date): Promise<boolean> {
  const abandoned: CustomerEvent = {
    type: "CustomerCreationAbandoned",
    data: { id: customerId, abandoned_at: now.toISOString() },
  };
  try {
    await store.appendToStream(customerStreamName(customerId), toEventsToAppend([abandoned], context, now), {
      expectedRevision: "no_stream",
    });
    return true;
  } catch (error) {
    if (error instanceof WrongExpectedRevision) return false;
    throw error;
  }
}
