/**
 * Domain errors: values that the HTTP layer maps to Medusa's error bodies in one place
 * (shared/http/errors.ts). Messages are Medusa's own, word for word.
 */
export class CustomerAlreadyExists extends Error {
  override readonly name = "CustomerAlreadyExists";
  constructor(readonly customerId: string) {
    super(`Customer with id: ${customerId} already exists.`);
  }
}

/** Medusa's message of the update route (double quotes, no colon), unlike retrieve's. */
export class CustomerNotFound extends Error {
  override readonly name = "CustomerNotFound";
  constructor(readonly customerId: string) {
    super(`Customer with id "${customerId}" not found`);
  }
}

/** Medusa's foreign-key message: an address or a membership naming an entity that does not exist. */
export class RelatedEntityNotFound extends Error {
  override readonly name = "RelatedEntityNotFound";
  constructor(
    readonly key: "customer_id" | "customer_group_id",
    readonly value: string,
  ) {
    super(`You tried to set relationship ${key}: ${value}, but such entity does not exist`);
  }
}

export class EmailAlreadyTaken extends Error {
  override readonly name = "EmailAlreadyTaken";
  constructor(
    readonly email: string,
    readonly hasAccount: boolean,
  ) {
    super(`Customer with email: ${email}, has_account: ${hasAccount}, already exists.`);
  }
}

/** Two writers raced for the same stream and this one lost; retrying is safe. */
export class ConcurrentWriteConflict extends Error {
  override readonly name = "ConcurrentWriteConflict";
  constructor(readonly stream: string) {
    super(`Concurrent write to ${stream}`);
  }
}

/** A change that would take a customer or group over one of the limits in limits.ts (400 invalid_data). */
export class LimitExceeded extends Error {
  override readonly name = "LimitExceeded";
}
