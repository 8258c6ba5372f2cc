/**
 * The email reservation (shared/customers/emailReservation.ts) run against the event store.
 */
import {
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
import { EmailAlreadyTaken } from "../customers/errors.js";
import type { EventStore } from "../eventstore/port.js";
import type { CommandContext } from "./context.js";
import { loadStream } from "./loadStream.js";
import { fenceAbandonedCreate, runRelease, runReservation } from "./runReservation.js";

export function reserveEmail(store: EventStore, command: ReserveEmail, context: CommandContext): Promise<void> {
  const { email, has_account, now } = command.data;
  return runReservation<EmailReservationState, EmailReservationEvent, CustomerState>(
    store,
    {
      stream: emailReservationStreamName(email, has_account),
      evolve: evolveEmailReservation,
      initialState: initialEmailReservationState,
      decide: (state, holder) => {
        const decision = decideEmailReservation(command, state, holder);
        return "customer_id" in decision ? { outcome: decision.outcome, holder_id: decision.customer_id } : decision;
      },
      loadHolder: async (customerId) => (await loadStream(store, customerStreamName(customerId), { evolve: evolveCustomer, initialState: initialCustomerState })).state,
      abandoned: { status: "abandoned" },
      fenceHolder: (customerId) =>
        fenceAbandonedCreate(
          store,
          customerStreamName(customerId),
          { type: "CustomerCreationAbandoned", data: { id: customerId, abandoned_at: now.toISOString() } },
          context,
          now,
        ),
      taken: () => new EmailAlreadyTaken(email, has_account),
    },
    context,
    now,
  );
}

/**
 * Frees an email held by `customer_id` (after a delete or an email change). A failure here
 * leaves a reservation whose holder no longer has the email; the next create of that email
 * takes it over (see emailReservation.ts), so it is logged by the caller, not fatal.
 */
export function releaseEmail(store: EventStore, command: ReleaseEmail, context: CommandContext): Promise<void> {
  const { email, has_account, now } = command.data;
  return runRelease(
    store,
    {
      stream: emailReservationStreamName(email, has_account),
      evolve: evolveEmailReservation,
      initialState: initialEmailReservationState,
      decide: (state) => decideEmailRelease(command, state),
    },
    context,
    now,
  );
}
