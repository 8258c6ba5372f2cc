/**
 * The admin user aggregate: who may log in to the admin API. Like Medusa's user with its
 * emailpass auth identity, in one stream: the user id, the email it logs in with, the auth
 * identity id its tokens name, and the password's scrypt hash. Pure: ids, time and the
 * hash come in with the command.
 */
import { Failure } from "../errors.js";
export interface UserFields {
  id: string;
  email: string;
  first_name: string | null;
  last_name: string | null;
  auth_identity_id: string;
  /** `$scrypt$...` (shared/auth/password.ts); never leaves the write side. */
  password_hash: string;
  created_at: string;
}

export type UserCreated = { type: "UserCreated"; data: UserFields };
/** A create that died after reserving the email; no user exists under this id. */
export type UserCreationAbandoned = { type: "UserCreationAbandoned"; data: { id: string; abandoned_at: string } };

export type UserEvent = UserCreated | UserCreationAbandoned;

export type UserState = { status: "absent" } | { status: "active"; user: UserFields } | { status: "abandoned" };

export const initialUserState = (): UserState => ({ status: "absent" });

export function evolveUser(state: UserState, event: UserEvent): UserState {
  switch (event.type) {
    case "UserCreated":
      return { status: "active", user: event.data };
    case "UserCreationAbandoned":
      return state.status === "absent" ? { status: "abandoned" } : state;
  }
}

export const userStreamName = (userId: string): string => `user-${userId}`;

export class UserAlreadyExists extends Failure {
  override readonly name = "UserAlreadyExists";
  readonly kind = "taken";
  constructor(readonly email: string) {
    super(`A user with the email ${email} already exists.`);
  }
}

export interface CreateUser {
  type: "CreateUser";
  data: Omit<UserFields, "created_at" | "first_name" | "last_name"> & { first_name?: string | null; last_name?: string | null; now: Date };
}

export function decideCreateUser(command: CreateUser, state: UserState): UserEvent[] {
  if (state.status !== "absent") throw new UserAlreadyExists(command.data.email);
  const { now, first_name, last_name, ...fields } = command.data;
  return [
    {
      type: "UserCreated",
      data: {
        id: fields.id,
        email: fields.email,
        first_name: first_name ?? null,
        last_name: last_name ?? null,
        auth_identity_id: fields.auth_identity_id,
        password_hash: fields.password_hash,
        created_at: now.toISOString(),
      },
    },
  ];
}
