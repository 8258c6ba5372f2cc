/**
 * Sessions and token refresh, as Medusa's `/auth/session` and `/auth/token/refresh`:
 * a token is exchanged for a session cookie, the cookie is destroyed on logout, and a new
 * token is issued from the auth identity behind a session or token.
 */
import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import type { FastifyRequest } from "fastify";
import { TOKEN_LIFETIME_SECONDS, signToken } from "../../auth/adminToken.js";
import { AuthIdentityNotFound } from "../../auth/errors.js";
import { EMAILPASS, authContextFor } from "../../application/emailpassLogin.js";
import type { AdminUsers } from "../../application/adminUsers.js";
import type { SessionStore } from "../../sessions/port.js";
import { type SessionCookieOptions, clearedSessionCookie, newSessionId, sessionCookie, sessionIdFrom } from "../sessionCookie.js";
import { routeDocumentation } from "../openapi.js";
import { LoggedOutAnswer, SessionAnswer, TokenAnswer } from "../responseSchemas.js";

export interface SessionRoutesOptions {
  sessions: SessionStore;
  cookie: SessionCookieOptions;
  sessionTtlMs: number;
  users: AdminUsers;
  jwtSecret: string;
}

const describe = routeDocumentation("Auth");

export const sessionRoutes: FastifyPluginAsyncTypebox<SessionRoutesOptions> = async (app, { sessions, cookie, sessionTtlMs, users, jwtSecret }) => {
  /**
   * A Secure cookie is only set on a request that came over HTTPS (directly, or through a
   * proxy saying `X-Forwarded-Proto: https`), as express-session does with `proxy: true`.
   */
  const canSetCookie = (request: FastifyRequest) => !cookie.secure || request.protocol === "https";

  app.post(
    "/auth/session",
    { preValidation: app.authenticate("*", ["bearer"], { allowUnregistered: true }), schema: describe("Exchange a token for a session cookie", SessionAnswer, { auth: ["bearer"] }) },
    async (request, reply) => {
      const authContext = request.authContext!;
      if (canSetCookie(request)) {
        // Always a new id, so a session id planted before login is never promoted.
        const previous = sessionIdFrom(request.headers.cookie, cookie);
        if (previous) await sessions.destroy(previous);
        const id = newSessionId();
        const expires = new Date(Date.now() + sessionTtlMs);
        await sessions.save(id, authContext, expires);
        reply.header("set-cookie", sessionCookie(cookie, id, expires));
      }
      return { user: authContext };
    },
  );

  app.delete(
    "/auth/session",
    { preValidation: app.authenticate("*", ["session"], { allowUnregistered: true }), schema: describe("Log out: destroy the session", LoggedOutAnswer, { auth: ["session"] }) },
    async (request, reply) => {
      await sessions.destroy(request.sessionId!);
      reply.header("set-cookie", clearedSessionCookie(cookie));
      return { success: true };
    },
  );

  app.post(
    "/auth/token/refresh",
    { preValidation: app.authenticate("*", ["session", "bearer"], { allowUnregistered: true }), schema: describe("Get a new token", TokenAnswer, { auth: ["session", "bearer"], errors: [404] }) },
    async (request) => {
      const context = request.authContext!;
      const userId = context.app_metadata?.user_id;
      const user = typeof userId === "string" ? await users.findById(userId) : undefined;
      if (!user || user.auth_identity_id !== context.auth_identity_id) throw new AuthIdentityNotFound(context.auth_identity_id);
      const claims = authContextFor(user, context.actor_type, context.auth_provider ?? EMAILPASS);
      return { token: signToken(claims, { secret: jwtSecret, now: new Date(), expiresInSeconds: TOKEN_LIFETIME_SECONDS }) };
    },
  );
};
