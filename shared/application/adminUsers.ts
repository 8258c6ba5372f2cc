/**
 * Admin users against the event store: create one (the CLI), find one by email (login) or
 * by id (token refresh). Everything is read from the user's own streams, so any command
 * service sharing the event store sees every user at once, with no read model.
 */
import { hashPassword } from "../auth/password.js";
import { ConcurrentWriteConflict } from "../customers/errors.js";
import { type EventStore, WrongExpectedRevision } from "../eventstore/port.js";
import {
  type UserEmailEvent,
  type UserEmailState,
  decideUserEmailReservation,
  evolveUserEmail,
  initialUserEmailState,
  userEmailStreamName,
} from "../users/emailReservation.js";
import { type UserEvent, type UserFields, type UserState, UserAlreadyExists, decideCreateUser, evolveUser, initialUserState, userStreamName } from "../users/user.js";
import { type CommandContext, toEventsToAppend } from "./context.js";
import { loadStream } from "./loadStream.js";
import { runReservation } from "./runReservation.js";

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
    try {
      await store.appendToStream(userStreamName(id), toEventsToAppend(events, context, now), { expectedRevision: "no_stream" });
    } catch (error) {
      // Only possible when a later create fenced this one as abandoned.
      if (error instanceof WrongExpectedRevision) throw new ConcurrentWriteConflict(userStreamName(id));
      throw error;
    }
    return (events[0] as Extract<UserEvent, { type: "UserCreated" }>).data;
  }

  async findById(id: string): Promise<UserFields | undefined> {
    const { state } = await loadStream(this.deps.store, userStreamName(id), evolveUser, initialUserState);
    return state.status === "active" ? state.user : undefined;
  }

  /** The user that logs in with exactly this email, if any. */
  async findByEmail(email: string): Promise<UserFields | undefined> {
    const { state } = await loadStream<UserEmailState, UserEmailEvent>(this.deps.store, userEmailStreamName(email), evolveUserEmail, initialUserEmailState);
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
        loadHolder: async (holderId) => (await loadStream(store, userStreamName(holderId), evolveUser, initialUserState)).state,
        abandoned: { status: "abandoned" },
        fenceHolder: (holderId) => this.#fence(holderId, context, now),
        taken: () => new UserAlreadyExists(email),
      },
      context,
      now,
    );
  }

  /** True when the stalled create can no longer complete; false when it completed meanwhile. */
  async #fence(userId: string, context: CommandContext, now: Date): Promise<boolean> {
    const abandoned: UserEvent = { type: "UserCreationAbandoned", data: { id: userId, abandoned_at: now.toISOString() } };
    try {
      await this.deps.store.appendToStream(userStreamName(userId), toEventsToAppend([abandoned], context, now), { expectedRevision: "no_stream" });
      return true;
    } catch (error) {
      if (error instanceof WrongExpectedRevision) return false;
      throw error;
    }
  }
}
