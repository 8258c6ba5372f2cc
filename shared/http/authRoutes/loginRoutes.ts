/**
 * `GET|POST /auth/:actor_type/:auth_provider`: Medusa's login. The emailpass provider is
 * the one configured; any other answers as Medusa does for a provider it does not have.
 * Success is `{token}`, a JWT of Medusa 2.21's claims; failure is 401
 * `{type: "unauthorized", message}` (429 once the login throttle steps in).
 */
import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "typebox";
import { TOKEN_LIFETIME_SECONDS, signToken } from "../../auth/adminToken.js";
import { AuthenticationFailed } from "../../auth/errors.js";
import { EMAILPASS, type EmailPassLogin, authContextFor } from "../../application/emailpassLogin.js";
import { routeDocumentation } from "../openapi.js";
import { TokenAnswer } from "../responseSchemas.js";

export interface LoginRoutesOptions {
  login: EmailPassLogin;
  jwtSecret: string;
}

const describe = routeDocumentation("Auth");

const LoginParams = Type.Object({ actor_type: Type.String(), auth_provider: Type.String() });

export const loginRoutes: FastifyPluginAsyncTypebox<LoginRoutesOptions> = async (app, { login, jwtSecret }) => {
  // Medusa's login route answers GET as POST.
  for (const method of ["GET", "POST"] as const) {
    app.route({
      method,
      url: "/auth/:actor_type/:auth_provider",
      schema: { params: LoginParams, ...describe("Log in (emailpass), get a token", TokenAnswer, { auth: [], errors: [401] }) },
      handler: async (request) => {
        const { actor_type, auth_provider } = request.params;
        if (auth_provider !== EMAILPASS) throw new AuthenticationFailed(`Could not find a auth provider with id: ${auth_provider}`);
        const user = await login.authenticate(request.body, request.ip);
        return { token: signToken(authContextFor(user, actor_type, EMAILPASS), { secret: jwtSecret, now: new Date(), expiresInSeconds: TOKEN_LIFETIME_SECONDS }) };
      },
    });
  }
};
