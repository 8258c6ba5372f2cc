/**
 * Medusa's emailpass provider: checks an email and password against the admin users and
 * says who logged in. Messages and their order are Medusa's (the password is checked
 * first). An unknown email costs as much as a wrong password (one scrypt), so timing does
 * not tell which emails exist; failures are counted by the login throttle.
 */
import type { AuthContext } from "../auth/adminToken.js";
import { AuthenticationFailed } from "../auth/errors.js";
import { type LoginThrottle, TooManyLoginAttempts } from "../auth/loginThrottle.js";
import { UNMATCHABLE_HASH, verifyPassword } from "../auth/password.js";
import type { UserFields } from "../users/user.js";
import type { AdminUsers } from "./adminUsers.js";

export const EMAILPASS = "emailpass";

export class EmailPassLogin {
  constructor(private readonly deps: { users: AdminUsers; throttle: LoginThrottle }) {}

  /** `client` is the caller's address, for the per-client count. */
  async authenticate(body: unknown, client: string): Promise<UserFields> {
    const { email, password } = (typeof body === "object" && body !== null ? body : {}) as Record<string, unknown>;
    if (typeof password !== "string" || password === "") throw new AuthenticationFailed("Password should be a string");
    if (typeof email !== "string" || email === "") throw new AuthenticationFailed("Email should be a string");

    const retryAfterMs = this.deps.throttle.retryAfterMs(email, client);
    if (retryAfterMs > 0) throw new TooManyLoginAttempts(retryAfterMs);

    const user = await this.deps.users.findByEmail(email);
    const matches = await verifyPassword(password, user?.password_hash ?? UNMATCHABLE_HASH);
    if (!user || !matches) {
      this.deps.throttle.failed(email, client);
      throw new AuthenticationFailed("Invalid email or password");
    }
    this.deps.throttle.succeeded(email, client);
    return user;
  }
}

/**
 * The token claims for a user's identity, as Medusa 2.21 builds them: `actor_id` is the
 * identity's `<actor_type>_id` ("" for an actor type the identity is not linked to), and
 * `app_metadata` is the identity's (`{user_id}`) with that key added.
 */
export function authContextFor(user: UserFields, actorType: string, authProvider: string): Omit<AuthContext, "iat" | "exp"> {
  const identityMetadata: Record<string, unknown> = { user_id: user.id };
  const actorId = identityMetadata[`${actorType}_id`];
  return {
    actor_id: typeof actorId === "string" ? actorId : "",
    actor_type: actorType,
    auth_identity_id: user.auth_identity_id,
    auth_provider: authProvider,
    mfa_enabled: false,
    mfa_challenge_completed_at: null,
    app_metadata: identityMetadata,
    user_metadata: {},
  };
}
