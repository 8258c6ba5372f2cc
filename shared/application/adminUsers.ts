/**
 * Admin users against the event store: create one (the CLI), find one by email (login) or
 * by id (token refresh). Everything is read from the user's own streams, so any command
 * service sharing the event store sees every user at once, with no read model.
 */
import { hashPassword } from "../auth/password.js";
import type { EventStore } from "../eventstore/port.js";
import {
  type UserEmailEvent,
  type UserEmailState,
  decideUserEmailReservation,
  evolveUserEmail,
  initialUserEmailState,
  userEmailStreamName,
} from "../users/emailReservation.js";
import { type UserEvent, type UserFields, type UserState, UserAlreadyExists, decideCreateUser, evolveUser, initialUserState, userStreamName } from "../users/user.js";
import type { CommandContext } from "./context.js";
import { loadStream } from "./loadStream.js";
import { appendToNewStream, fenceAbandonedCreate, runReservation } from "./runReservation.js";

export interface AdminUsersDependencies {
  store: EventStore;
  clock: () => Date;
  newUserId: () => string;
  newAuthIdentityId: () => string;
  /** How long an email reservation without its user is trusted to be a create in progress. */
  reservationGraceMs: number;
  hashPassword?: (password: string) => Promise<string>;
}


export class AdminUsers {
  constructor(private readonly deps: AdminUsersDependencies) {}

  async create(input: { email: string; password: string; first_name?: string | null; last_name?: string | null }, context: CommandContext): Promise<UserFields> {
    const { store, clock } = this.deps;
    const now = clock();
    const id = this.deps.newUserId();
    const password_hash = await (this.deps.hashPassword ?? hashPassword)(input.password);
    const events = decideCreateUser(
      { type: "CreateUser", data: { ...input, id, auth_identity_id: this.deps.newAuthIdentityId(), password_hash, now } },
      initialUserState(),
    );
    await this.#reserveEmail(input.email, id, now, context);
    await appendToNewStream(store, userStreamName(id), events, context, now);
    return (events[0] as Extract<UserEvent, { type: "UserCreated" }>).data;
  }

  async findById(id: string): Promise<UserFields | undefined> {
    const { state } = await loadStream(this.deps.store, userStreamName(id), { evolve: evolveUser, initialState: initialUserState });
    return state.status === "active" ? state.user : undefined;
  }

  /** The user that logs in with exactly this email, if any. */
  async findByEmail(email: string): Promise<UserFields | undefined> {
    const { state } = await loadStream<UserEmailState, UserEmailEvent>(this.deps.store, userEmailStreamName(email), { evolve: evolveUserEmail, initialState: initialUserEmailState });
    if (!state.holder) return undefined;
    const user = await this.findById(state.holder.user_id);
    return user?.email === email ? user : undefined;
  }

  #reserveEmail(email: string, userId: string, now: Date, context: CommandContext): Promise<void> {
    const { store, reservationGraceMs } = this.deps;
    const command = { type: "ReserveUserEmail" as const, data: { email, user_id: userId, now, pending_grace_ms: reservationGraceMs } };
    return runReservation<UserEmailState, UserEmailEvent, UserState>(
      store,
      {
        stream: userEmailStreamName(email),
        evolve: evolveUserEmail,
        initialState: initialUserEmailState,
        decide: (state, holder) => decideUserEmailReservation(command, state, holder),
        loadHolder: async (holderId) => (await loadStream(store, userStreamName(holderId), { evolve: evolveUser, initialState: initialUserState })).state,
        abandoned: { status: "abandoned" },
        fenceHolder: (holderId) =>
          fenceAbandonedCreate(store, userStreamName(holderId), { type: "UserCreationAbandoned", data: { id: holderId, abandoned_at: now.toISOString() } }, context, now),
        taken: () => new UserAlreadyExists(email),
      },
      context,
      now,
    );
  }

}
