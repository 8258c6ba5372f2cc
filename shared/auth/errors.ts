/** Authentication failures, mapped to Medusa's bodies in shared/http/errors.ts. */

/** Medusa's `MedusaError(UNAUTHORIZED, message)` from the auth routes: 401 `{type:"unauthorized", message}`. */
export class AuthenticationFailed extends Error {
  override readonly name = "AuthenticationFailed";
}

/** Medusa's not-found message when an auth identity named by a token is gone. */
export class AuthIdentityNotFound extends Error {
  override readonly name = "AuthIdentityNotFound";
  constructor(readonly authIdentityId: string) {
    super(`AuthIdentity with id: ${authIdentityId} was not found`);
  }
}
