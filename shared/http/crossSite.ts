/**
 * Cross-site request forgery, for requests authenticated by the session cookie: a browser
 * attaches the cookie to a form another site posts here, so a write that rides on the cookie
 * must come from this service's own origin or from one the CORS settings allow. Browsers say
 * where a request comes from (`Origin`, and `Sec-Fetch-Site`); a request with neither comes
 * from a program, not from a page, and carries no forged intent. Bearer tokens and secret
 * keys are never attached by a browser on its own, so they are not concerned.
 */
import type { FastifyRequest } from "fastify";
import type { CorsOrigin } from "../config.js";
import { originAllowed } from "./cors.js";

const WRITES = new Set(["POST", "PUT", "PATCH", "DELETE"]);

export const CROSS_SITE_REFUSED =
  "This request came from another site's page. A request authenticated by the session cookie must come from this service's origin or from an origin allowed in ADMIN_CORS or AUTH_CORS.";

export function isCrossSiteWrite(request: FastifyRequest, trusted: CorsOrigin[]): boolean {
  if (!WRITES.has(request.method)) return false;
  const origin = request.headers.origin;
  if (origin !== undefined) return !(sameHost(origin, request.headers.host) || originAllowed(trusted, origin));
  const site = request.headers["sec-fetch-site"];
  return site === "cross-site" || site === "same-site";
}

/** The page's origin names this service's host (the scheme may differ behind a TLS proxy). */
function sameHost(origin: string, host: string | undefined): boolean {
  if (host === undefined) return false;
  try {
    return new URL(origin).host === host.toLowerCase();
  } catch {
    // "null" (sandboxed or opaque origins) and anything unparseable.
    return false;
  }
}
