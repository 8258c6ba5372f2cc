/**
 * Every value the service keeps unique on the write side, each declared once: a customer's
 * email (with has_account, as Medusa's unique index), a customer group's name, and an admin
 * user's email. How a reservation is decided is in each domain folder; how it is run, in
 * reservation.ts.
 */
import { customerStreamName, evolveCustomer, initialCustomerState } from "../customers/customer.js";
import {
  LEGACY_EMAIL_RESERVATION_STREAM_PREFIX,
  type ReleaseEmail,
  type ReserveEmail,
  decideEmailRelease,
  decideEmailReservation,
  emailReservationStreamName,
  evolveEmailReservation,
  initialEmailReservationState,
  legacyEmailReservationStreamName,
} from "../customers/emailReservation.js";
import { EmailAlreadyTaken } from "../customers/errors.js";
import { customerGroupStreamName, evolveCustomerGroup, initialCustomerGroupState } from "../customerGroups/group.js";
import {
  CustomerGroupNameTaken,
  decideGroupNameRelease,
  decideGroupNameReservation,
  evolveCustomerGroupName,
  groupNameReservationStreamName,
  initialCustomerGroupNameState,
} from "../customerGroups/nameReservation.js";
import { decideUserEmailReservation, evolveUserEmail, initialUserEmailState, userEmailStreamName } from "../users/emailReservation.js";
import { UserAlreadyExists, evolveUser, initialUserState, userStreamName } from "../users/user.js";
import type { EventStore } from "../eventstore/port.js";
import { type ReservationRunner, defineReservation } from "./reservation.js";

export type CustomerEmailReservations = ReservationRunner<ReserveEmail, ReleaseEmail>;

/**
 * Customer emails, their streams named under the secret `indexKey` (emailReservation.ts).
 * `legacyStreams`: the store still holds reservations named before that (see
 * legacyEmailReservationsExist); each email's is then read from there until its own stream
 * exists.
 */
export const customerEmailReservations = ({ indexKey, legacyStreams }: { indexKey: Buffer; legacyStreams: boolean }): CustomerEmailReservations =>
  defineReservation({
    stream: ({ data }: ReserveEmail | ReleaseEmail) => emailReservationStreamName(indexKey, data.email, data.has_account),
    legacyStream: legacyStreams ? ({ data }: ReserveEmail | ReleaseEmail) => legacyEmailReservationStreamName(data.email, data.has_account) : undefined,
    reservation: { evolve: evolveEmailReservation, initialState: initialEmailReservationState },
    decideReserve: decideEmailReservation,
    decideRelease: decideEmailRelease,
    holder: {
      stream: customerStreamName,
      evolve: evolveCustomer,
      initialState: initialCustomerState,
      abandoned: (id, now) => ({ type: "CustomerCreationAbandoned" as const, data: { id, abandoned_at: now.toISOString() } }),
    },
    taken: ({ data }) => new EmailAlreadyTaken(data.email, data.has_account),
  });

/**
 * Whether the store holds reservations named before the HMAC naming. Asked once, at start-up:
 * nothing here creates such a stream, so a store without any stays without (as long as no
 * process of an earlier version still writes to it).
 */
export async function legacyEmailReservationsExist(store: EventStore): Promise<boolean> {
  return (await store.headPosition({ streamPrefixes: [LEGACY_EMAIL_RESERVATION_STREAM_PREFIX] })) !== undefined;
}

export const customerGroupNames = defineReservation({
  stream: ({ name }) => groupNameReservationStreamName(name),
  reservation: { evolve: evolveCustomerGroupName, initialState: initialCustomerGroupNameState },
  decideReserve: decideGroupNameReservation,
  decideRelease: decideGroupNameRelease,
  holder: {
    stream: customerGroupStreamName,
    evolve: evolveCustomerGroup,
    initialState: initialCustomerGroupState,
    abandoned: (id, now) => ({ type: "CustomerGroupCreationAbandoned" as const, data: { id, abandoned_at: now.toISOString() } }),
  },
  taken: ({ name }) => new CustomerGroupNameTaken(name),
});

/** Admin users are never deleted nor renamed here, so their emails are never released. */
export const userEmails = defineReservation({
  stream: ({ data }) => userEmailStreamName(data.email),
  reservation: { evolve: evolveUserEmail, initialState: initialUserEmailState },
  decideReserve: decideUserEmailReservation,
  decideRelease: (_nothingToRelease: never) => [],
  holder: {
    stream: userStreamName,
    evolve: evolveUser,
    initialState: initialUserState,
    abandoned: (id, now) => ({ type: "UserCreationAbandoned" as const, data: { id, abandoned_at: now.toISOString() } }),
  },
  taken: ({ data }) => new UserAlreadyExists(data.email),
});
