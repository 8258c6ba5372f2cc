/**
 * Admin users against the event store: create one (the CLI), find one by email (login) or
 * by id (token refresh). Everything is read from the user's own streams, so any command
 * service sharing the event store sees every user at once, with no read model.
 */
import { hashPassword } from "../auth/password.js";
import type { EventStore } from "../eventstore/port.js";
import { loadStream } from "../eventstore/loadStream.js";
import { type UserEmailEvent, type UserEmailState, evolveUserEmail, initialUserEmailState, userEmailStreamName } from "../users/emailReservation.js";
import { type UserEvent, type UserFields, decideCreateUser, evolveUser, initialUserState, userStreamName } from "../users/user.js";
import { handleCommand } from "./commandHandler.js";
import type { CommandContext } from "./context.js";
import { userEmails } from "./reservations.js";

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
    const { store, clock, reservationGraceMs } = this.deps;
    const id = this.deps.newUserId();
    const password_hash = await (this.deps.hashPassword ?? hashPassword)(input.password);
    const auth_identity_id = this.deps.newAuthIdentityId();
    const handled = await handleCommand(
      store,
      userStreamName(id),
      { evolve: evolveUser, initialState: initialUserState },
      (state, now) => decideCreateUser({ type: "CreateUser", data: { ...input, id, auth_identity_id, password_hash, now } }, state),
      {
        clock,
        context,
        newStream: true,
        alongside: (_events, _state, now) =>
          userEmails.claim(store, { type: "ReserveUserEmail", data: { email: input.email, user_id: id, now, pending_grace_ms: reservationGraceMs } }, context, now),
      },
    );
    return (handled.events[0] as Extract<UserEvent, { type: "UserCreated" }>).data;
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
}
