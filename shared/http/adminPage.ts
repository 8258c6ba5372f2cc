/**
 * The admin page (services/admin, built into dist/admin) at /app, from the service's own
 * origin: its API calls are same-origin, so the session cookie works without CORS. The page
 * is public (it holds no data; every call it makes is authenticated), cached by content hash,
 * and sent with a Content-Security-Policy that lets it run only its own files and talk only
 * to this origin.
 */
import { existsSync, readFileSync } from "node:fs";
import { basename, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import fastifyStatic from "@fastify/static";
import type { FastifyPluginAsync } from "fastify";
import { MedusaError } from "./errors.js";

export const ADMIN_PAGE_PREFIX = "/app/";

const SECURITY_HEADERS: Record<string, string> = {
  "content-security-policy":
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
  "x-content-type-options": "nosniff",
  "x-frame-options": "DENY",
  "referrer-policy": "no-referrer",
};

/** dist/admin, where `npm run build` puts the page, found from this module whether it runs built (dist/shared/http) or from the sources (shared/http). */
export function builtAdminPageDir(): string {
  const here = fileURLToPath(new URL(".", import.meta.url));
  const twoUp = resolve(here, "../..");
  return basename(twoUp) === "dist" ? join(twoUp, "admin") : join(twoUp, "dist", "admin");
}

/** Whether `npm run build` has made the page (else /app says how to). */
export function adminPageBuilt(dir = builtAdminPageDir()): boolean {
  return existsSync(join(dir, "index.html"));
}

export interface AdminPageOptions {
  /** The built page's folder; when it holds no index.html, /app says how to build it. */
  dir: string;
}

export const adminPage: FastifyPluginAsync<AdminPageOptions> = async (app, { dir }) => {
  app.addHook("onSend", async (_request, reply, payload) => {
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) reply.header(name, value);
    return payload;
  });
  if (!adminPageBuilt(dir)) {
    const notBuilt = async () => {
      throw new MedusaError("not_found", `The admin page is not built in ${dir}: run \`npm run build\` (\`npm start\` does it first), then start the service again.`);
    };
    app.get("/app", { schema: { hide: true } }, notBuilt);
    app.get("/app/*", { schema: { hide: true } }, notBuilt);
    return;
  }
  // The page itself, read once: /app and /app/ (the router ignores trailing slashes) answer it.
  const index = readFileSync(join(dir, "index.html"));
  app.get("/app", { schema: { hide: true } }, (_request, reply) => reply.header("cache-control", "no-cache").type("text/html; charset=utf-8").send(index));
  // Its scripts and styles.
  await app.register(fastifyStatic, {
    root: dir,
    prefix: ADMIN_PAGE_PREFIX,
    decorateReply: false,
    schemaHide: true,
    index: false,
    cacheControl: false,
    setHeaders(response, path) {
      // Built files carry a hash of their content in their name: they never change under it.
      response.setHeader("cache-control", path.includes("/assets/") ? "public, max-age=31536000, immutable" : "no-cache");
    },
  });
};
