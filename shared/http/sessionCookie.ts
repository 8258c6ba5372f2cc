/**
 * The session cookie as express-session writes it (which Medusa uses): the value is
 * `s:<id>.<signature>` URL-encoded, the signature being HMAC-SHA256 of the id with the
 * cookie secret in base64 without padding (the `cookie-signature` package's format);
 * `Path=/; Expires=...; HttpOnly`, plus `Secure; SameSite=Lax` in production.
 */
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";

export interface SessionCookieOptions {
  name: string;
  secret: string;
  /** Production: only over HTTPS, and not sent on cross-site subrequests. */
  secure: boolean;
}

/** 24 random bytes, as express-session's uid-safe ids. */
export const newSessionId = (): string => randomBytes(24).toString("base64url");

const signature = (value: string, secret: string): string => createHmac("sha256", secret).update(value).digest("base64").replace(/=+$/, "");

export function sessionCookie(options: SessionCookieOptions, id: string, expires: Date): string {
  const value = encodeURIComponent(`s:${id}.${signature(id, options.secret)}`);
  return `${options.name}=${value}; Path=/; Expires=${expires.toUTCString()}; HttpOnly${options.secure ? "; Secure; SameSite=Lax" : ""}`;
}

/** What Medusa sends on logout (`res.clearCookie`). */
export function clearedSessionCookie(options: SessionCookieOptions): string {
  return `${options.name}=; Path=/; Expires=Thu, 01 Jan 1970 00:00:00 GMT${options.secure ? "; Secure; SameSite=Lax" : ""}`;
}

/** The session id from a Cookie header, when the cookie is there and its signature is right. */
export function sessionIdFrom(cookieHeader: string | undefined, options: SessionCookieOptions): string | undefined {
  if (!cookieHeader) return undefined;
  for (const pair of cookieHeader.split(";")) {
    const eq = pair.indexOf("=");
    if (eq === -1 || pair.slice(0, eq).trim() !== options.name) continue;
    let value: string;
    try {
      value = decodeURIComponent(pair.slice(eq + 1).trim());
    } catch {
      return undefined;
    }
    if (!value.startsWith("s:")) return undefined;
    const dot = value.lastIndexOf(".");
    if (dot < 2) return undefined;
    const id = value.slice(2, dot);
    const given = Buffer.from(value.slice(dot + 1));
    const expected = Buffer.from(signature(id, options.secret));
    return given.length === expected.length && timingSafeEqual(given, expected) ? id : undefined;
  }
  return undefined;
}
