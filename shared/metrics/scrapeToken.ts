/**
 * The check of a scrape's credentials: `Authorization: Bearer <METRICS_TOKEN>`. Compared as
 * digests, so that timingSafeEqual gets equal lengths and the comparison gives no hint of the
 * token's length. One check for the API's /metrics and the roles' /metrics alike.
 */
import { createHash, timingSafeEqual } from "node:crypto";

const digest = (value: string) => createHash("sha256").update(value).digest();

/** The answer a scrape without the right token gets, as status, headers and body. */
export const UNAUTHORIZED_SCRAPE = { status: 401, headers: { "www-authenticate": 'Bearer realm="metrics"' }, body: { message: "Unauthorized" } } as const;

export function scrapeTokenCheck(token: string): (authorization: string | string[] | undefined) => boolean {
  const expected = digest(`Bearer ${token}`);
  return (authorization) => typeof authorization === "string" && timingSafeEqual(digest(authorization), expected);
}
