/**
 * The admin page's files at /app (shared/http/adminPage.ts), without a browser: what is
 * served with which headers, what is not served, and what a service whose page was never
 * built answers.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import Fastify, { type FastifyInstance } from "fastify";
import t, { type Test } from "tap";
import { adminPage, builtAdminPageDir } from "../../shared/http/adminPage.js";
import { medusaErrorHandler } from "../../shared/http/errors.js";
import { onRouteNotFound } from "../../shared/http/frameworkErrors.js";
import { makeDataDir } from "../support/service.js";

async function serving(t: Test, files: Record<string, string>): Promise<FastifyInstance> {
  const data = makeDataDir();
  t.teardown(() => data.remove());
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(join(data.dir, "page", name, ".."), { recursive: true });
    writeFileSync(join(data.dir, "page", name), content);
  }
  writeFileSync(join(data.dir, "secret.txt"), "not for the page");
  const app = Fastify({ routerOptions: { ignoreTrailingSlash: true } });
  app.setErrorHandler(medusaErrorHandler);
  app.setNotFoundHandler(onRouteNotFound);
  await app.register(adminPage, { dir: join(data.dir, "page") });
  t.teardown(() => app.close());
  return app;
}

t.test("the page and its files, with a policy that lets it run only its own files", async (t) => {
  const app = await serving(t, { "index.html": "<!doctype html><title>page</title>", "assets/index-abc123.js": "console.log(1)" });
  for (const url of ["/app", "/app/"]) {
    const page = await app.inject({ url });
    t.equal(page.statusCode, 200, url);
    t.match(page.headers["content-type"], /^text\/html/);
    t.equal(page.body, "<!doctype html><title>page</title>");
    t.equal(page.headers["cache-control"], "no-cache", "the page is checked again each time: it names the current files");
    t.match(page.headers["content-security-policy"], /default-src 'self'.*script-src 'self'.*connect-src 'self'.*frame-ancestors 'none'/);
    t.equal(page.headers["x-frame-options"], "DENY");
    t.equal(page.headers["x-content-type-options"], "nosniff");
  }
  const script = await app.inject({ url: "/app/assets/index-abc123.js" });
  t.equal(script.statusCode, 200);
  t.match(script.headers["content-type"], /javascript/);
  t.equal(script.headers["cache-control"], "public, max-age=31536000, immutable");
  t.match(script.headers["content-security-policy"], /script-src 'self'/);
});

t.test("nothing outside the page's folder, and unknown files are Medusa-shaped 404s", async (t) => {
  const app = await serving(t, { "index.html": "<p>page</p>" });
  for (const url of ["/app/../secret.txt", "/app/%2e%2e/secret.txt", "/app/..%2fsecret.txt", "/app/assets/missing.js"]) {
    const answer = await app.inject({ url });
    t.equal(answer.statusCode, 404, url);
    t.notMatch(answer.body, /not for the page/, url);
  }
  t.same((await app.inject({ url: "/app/assets/missing.js" })).json(), { type: "not_found", message: "Cannot GET /app/assets/missing.js" });
});

t.test("a service whose page was never built says how to build it", async (t) => {
  const app = await serving(t, {});
  for (const url of ["/app", "/app/", "/app/assets/index.js"]) {
    const answer = await app.inject({ url });
    t.equal(answer.statusCode, 404, url);
    t.equal(answer.json().type, "not_found");
    t.match(answer.json().message, /The admin page is not built in .*: run `npm run build`/);
  }
});

t.test("the built page is looked for in dist/admin of the project, from the sources as from dist", async (t) => {
  t.equal(builtAdminPageDir(), join(process.cwd(), "dist", "admin"));
});
