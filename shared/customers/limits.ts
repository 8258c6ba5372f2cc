/**
 * How much one customer or group may hold. Medusa keeps these in PostgreSQL `text` and
 * `jsonb` columns, which take up to a gigabyte; here every customer is also a document in
 * the read model (MongoDB refuses documents over 16 MiB, and a projector that cannot store
 * one would stall) and a state the command service folds and caches. So metadata and the
 * customer as a whole are bounded, with a clear message, well before either limit. Checked on
 * what a change would produce (metadata after the merge), so repeated small updates cannot
 * grow a customer past them either.
 */
import { LimitExceeded } from "../errors.js";

/** Longest email or group name: PostgreSQL's btree index entry limit, under Medusa's unique indexes on both. */
export const UNIQUE_TEXT_MAX_LENGTH = 2704;
/** One metadata object, as UTF-8 JSON. */
export const METADATA_MAX_BYTES = 64 * 1024;
/** One key, at any depth of a metadata object. */
export const METADATA_KEY_MAX_LENGTH = 256;
/** A customer with all its addresses, as UTF-8 JSON. */
export const CUSTOMER_MAX_BYTES = 4 * 1024 * 1024;

const jsonBytes = (value: unknown): number => Buffer.byteLength(JSON.stringify(value) ?? "", "utf8");

/** Throws LimitExceeded when `metadata` (as it would be stored) is over a limit. */
export function checkMetadata(field: string, metadata: unknown): void {
  checkMetadataKeys(field, metadata);
  if (metadata === null || metadata === undefined) return;
  const bytes = jsonBytes(metadata);
  if (bytes > METADATA_MAX_BYTES) {
    throw new LimitExceeded(`Value for field '${field}' too big, expected at most: '${METADATA_MAX_BYTES}' bytes as JSON, got: '${bytes}'`);
  }
}

/**
 * Throws LimitExceeded when a key at any depth is too long. Checked on an update as sent too,
 * not only on the merged result: a key sent to be removed (`"key": ""`) is refused the same way.
 */
export function checkMetadataKeys(field: string, metadata: unknown): void {
  const stack: unknown[] = [metadata];
  while (stack.length > 0) {
    const current = stack.pop();
    if (current === null || typeof current !== "object") continue;
    for (const [key, value] of Object.entries(current)) {
      if (!Array.isArray(current) && key.length > METADATA_KEY_MAX_LENGTH) {
        throw new LimitExceeded(`Key in field '${field}' too long, expected at most: '${METADATA_KEY_MAX_LENGTH}' characters`);
      }
      stack.push(value);
    }
  }
}

/** Throws LimitExceeded when a customer, its addresses included, would be over CUSTOMER_MAX_BYTES. */
export function checkCustomerSize(customer: object, addresses: readonly object[]): void {
  const bytes = jsonBytes(customer) + jsonBytes(addresses);
  if (bytes > CUSTOMER_MAX_BYTES) {
    throw new LimitExceeded(
      `A customer, its addresses included, may hold at most '${CUSTOMER_MAX_BYTES}' bytes as JSON; this change would make it '${bytes}'`,
    );
  }
}
