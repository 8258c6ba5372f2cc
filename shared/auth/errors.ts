/** Authentication failures, mapped to Medusa's bodies in shared/http/errors.ts. */
import { Failure } from "../errors.js";

/** Medusa's `MedusaError(UNAUTHORIZED, message)` from the auth routes: 401 `{type:"unauthorized", message}`. */
export class AuthenticationFailed extends Failure {
  override readonly name = "AuthenticationFailed";
  readonly kind = "unauthorised";
}

/** Medusa's not-found message when an auth identity named by a token is gone. */
export class AuthIdentityNotFound extends Failure {
  override readonly name = "AuthIdentityNotFound";
  readonly kind = "not_found";
  constructor(readonly authIdentityId: string) {
    super(`AuthIdentity with id: ${authIdentityId} was not found`);
  }
}
