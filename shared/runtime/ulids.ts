/**
 * ULIDs for new ids: monotonic within the process (ids made in the same millisecond still
 * sort by creation), their random part drawn from the system's secure generator a pool at a
 * time. The library's default asks the system for one byte per character, sixteen calls per
 * id, which showed in the profile of a create.
 */
import { randomFillSync } from "node:crypto";
import { type ULIDFactory, monotonicFactory } from "ulid";

const POOL_BYTES = 4096;

export function ulidFactory(): ULIDFactory {
  const pool = Buffer.alloc(POOL_BYTES);
  let next = POOL_BYTES;
  return monotonicFactory(() => {
    if (next === POOL_BYTES) {
      randomFillSync(pool);
      next = 0;
    }
    return pool[next++]! / 256;
  });
}
