import t from "tap";
import {
  type ReserveUserEmail,
  type UserEmailEvent,
  decideUserEmailReservation,
  evolveUserEmail,
  initialUserEmailState,
  userEmailStreamName,
} from "../../shared/users/emailReservation.js";
import { type CreateUser, type UserEvent, UserAlreadyExists, decideCreateUser, evolveUser, initialUserState } from "../../shared/users/user.js";
import { deciderSpec } from "../support/decider.js";

const t0 = new Date("2026-01-02T03:04:05.678Z");
const later = (ms: number) => new Date(t0.getTime() + ms);
const GRACE = 30_000;

const create: CreateUser = {
  type: "CreateUser",
  data: { id: "user_1", email: "admin@example.com", auth_identity_id: "authid_1", password_hash: "$scrypt$h", now: t0 },
};
const created: UserEvent = {
  type: "UserCreated",
  data: {
    id: "user_1",
    email: "admin@example.com",
    first_name: null,
    last_name: null,
    auth_identity_id: "authid_1",
    password_hash: "$scrypt$h",
    created_at: t0.toISOString(),
  },
};

t.test("a user is created with its auth identity and password hash", async (t) => {
  deciderSpec(t, { decide: decideCreateUser, evolve: evolveUser, initialState: initialUserState }).given([]).when(create).then([created]);
});

t.test("a user id is created once", async (t) => {
  deciderSpec(t, { decide: decideCreateUser, evolve: evolveUser, initialState: initialUserState }).given([created]).when(create).thenThrows(UserAlreadyExists);
});

t.test("an abandoned create stays abandoned", async (t) => {
  const state = [{ type: "UserCreationAbandoned", data: { id: "user_1", abandoned_at: t0.toISOString() } } as UserEvent].reduce(evolveUser, initialUserState());
  t.same(state, { status: "abandoned" });
  t.throws(() => decideCreateUser(create, state), UserAlreadyExists);
});

const reserve = (user_id: string, now: Date): ReserveUserEmail => ({
  type: "ReserveUserEmail",
  data: { email: "admin@example.com", user_id, now, pending_grace_ms: GRACE },
});
const reserved = (user_id: string, at: Date): UserEmailEvent => ({
  type: "UserEmailReserved",
  data: { email: "admin@example.com", user_id, reserved_at: at.toISOString() },
});
const given = (events: UserEmailEvent[]) => events.reduce(evolveUserEmail, initialUserEmailState());

t.test("a free email is reserved; a held one is taken", async (t) => {
  t.same(decideUserEmailReservation(reserve("user_1", t0), given([])), { outcome: "reserve", events: [reserved("user_1", t0)] });
  t.same(decideUserEmailReservation(reserve("user_2", later(1000)), given([reserved("user_1", t0)])), { outcome: "taken" });
  t.same(decideUserEmailReservation(reserve("user_1", t0), given([reserved("user_1", t0)])), { outcome: "reserve", events: [] });
});

t.test("an old reservation is checked against its user", async (t) => {
  const state = given([reserved("user_1", t0)]);
  t.same(decideUserEmailReservation(reserve("user_2", later(GRACE)), state), { outcome: "check-holder", holder_id: "user_1" });
  t.same(decideUserEmailReservation(reserve("user_2", later(GRACE)), state, evolveUser(initialUserState(), created)), { outcome: "taken" });
  t.same(decideUserEmailReservation(reserve("user_2", later(GRACE)), state, initialUserState()), { outcome: "fence-holder", holder_id: "user_1" });
  t.same(decideUserEmailReservation(reserve("user_2", later(GRACE)), state, { status: "abandoned" }), {
    outcome: "reserve",
    events: [
      {
        type: "UserEmailReleased",
        data: { email: "admin@example.com", user_id: "user_1", released_at: later(GRACE).toISOString(), reason: "creation_abandoned" },
      },
      reserved("user_2", later(GRACE)),
    ],
  });
});

t.test("emails are told apart exactly, in short stream names", async (t) => {
  t.not(userEmailStreamName("Admin@example.com"), userEmailStreamName("admin@example.com"));
  t.match(userEmailStreamName("x".repeat(10_000)), /^user_email-[\w-]{43}$/);
});
