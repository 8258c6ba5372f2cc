/**
 * How much one customer or group may hold. Medusa keeps these in PostgreSQL `text` and
 * `jsonb` columns, which take up to a gigabyte; here every customer is also a document in
 * the read model (MongoDB refuses documents over 16 MiB, and a projector that cannot store
 * one would stall) and a state the command service folds and caches. So a customer as a
 * whole is bounded, with a clear message, well before either limit (metadata: shared/metadata.ts).
 */
import { LimitExceeded } from "../errors.js";
import { jsonBytes } from "../metadata.js";

/** Longest email or group name: PostgreSQL's btree index entry limit, under Medusa's unique indexes on both. */
export const UNIQUE_TEXT_MAX_LENGTH = 2704;
/** A customer with all its addresses, as UTF-8 JSON. */
export const CUSTOMER_MAX_BYTES = 4 * 1024 * 1024;

/** Throws LimitExceeded when a customer, its addresses included, would be over CUSTOMER_MAX_BYTES. */
export function checkCustomerSize(customer: object, addresses: readonly object[]): void {
  const bytes = jsonBytes(customer) + jsonBytes(addresses);
  if (bytes > CUSTOMER_MAX_BYTES) {
    throw new LimitExceeded(
      `A customer, its addresses included, may hold at most '${CUSTOMER_MAX_BYTES}' bytes as JSON; this change would make it '${bytes}'`,
    );
  }
}
