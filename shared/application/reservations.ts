/**
 * Every value the service keeps unique on the write side, each declared once: a customer's
 * email (with has_account, as Medusa's unique index), a customer group's name, and an admin
 * user's email. How a reservation is decided is in each domain folder; how it is run, in
 * reservation.ts.
 */
import { customerStreamName, evolveCustomer, initialCustomerState } from "../customers/customer.js";
import {
  decideEmailRelease,
  decideEmailReservation,
  emailReservationStreamName,
  evolveEmailReservation,
  initialEmailReservationState,
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
import { defineReservation } from "./reservation.js";

export const customerEmails = defineReservation({
  stream: ({ data }) => emailReservationStreamName(data.email, data.has_account),
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
