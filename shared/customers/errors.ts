/**
 * The customer domain's failures (kinds in shared/errors.ts). Messages are Medusa's own,
 * word for word.
 */
import { Failure } from "../errors.js";

export class CustomerAlreadyExists extends Failure {
  override readonly name = "CustomerAlreadyExists";
  readonly kind = "taken";
  constructor(readonly customerId: string) {
    super(`Customer with id: ${customerId} already exists.`);
  }
}

/** Medusa's message of the update route (double quotes, no colon), unlike retrieve's. */
export class CustomerNotFound extends Failure {
  override readonly name = "CustomerNotFound";
  readonly kind = "not_found";
  constructor(readonly customerId: string) {
    super(`Customer with id "${customerId}" not found`);
  }
}

/** Medusa's foreign-key message: an address or a membership naming an entity that does not exist. */
export class RelatedEntityNotFound extends Failure {
  override readonly name = "RelatedEntityNotFound";
  readonly kind = "not_found";
  constructor(
    readonly key: "customer_id" | "customer_group_id",
    readonly value: string,
  ) {
    super(`You tried to set relationship ${key}: ${value}, but such entity does not exist`);
  }
}

export class EmailAlreadyTaken extends Failure {
  override readonly name = "EmailAlreadyTaken";
  readonly kind = "taken";
  constructor(
    readonly email: string,
    readonly hasAccount: boolean,
  ) {
    super(`Customer with email: ${email}, has_account: ${hasAccount}, already exists.`);
  }
}
