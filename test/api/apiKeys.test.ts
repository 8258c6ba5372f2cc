/**
 * Secret API keys: HTTP Basic as Medusa takes them, the key as the actor, revocation, and
 * the `npm run api-key` CLI against a running service's data directory.
 */
import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import t from "tap";
import { createApiKey, revokeApiKey } from "../support/auth.js";
import { type TestService, startTestService } from "../support/service.js";

const run = promisify(execFile);
const CLI = join(import.meta.dirname, "../../dist/services/cli/apiKey.js");
const UNAUTHORIZED = `{"message":"Unauthorized"}`;

let api: TestService;
t.before(async () => {
  api = await startTestService();
});
t.teardown(() => api.stop());

const withAuthorization = (authorization: string, method = "GET", path = "/admin/customers", body?: unknown) =>
  api.request(method, path, { token: false, headers: { authorization }, body });

t.test("a key works as Basic <key> and as Basic base64(key:), and is the actor", async (t) => {
  const { key, secret } = await createApiKey(api.dataDir, "CI");
  t.match(secret, /^sk_[0-9a-f]{64}$/);
  t.match(key, { id: /^apk_[0-9A-Z]{26}$/, title: "CI", redacted: `${secret.slice(0, 6)}***${secret.slice(-3)}` });
  const b64 = (value: string) => Buffer.from(value).toString("base64");
  for (const [name, header] of [
    ["raw", `Basic ${secret}`],
    ["base64 with a colon (curl -u key:)", `Basic ${b64(`${secret}:`)}`],
    ["base64 without a colon", `Basic ${b64(secret)}`],
  ] as const) {
    const res = await withAuthorization(header, "POST", "/admin/customers", {});
    t.equal(res.status, 200, name);
    t.equal(res.json.customer.created_by, key.id, `${name}: created_by is the key`);
  }
});

t.test("unknown, malformed and revoked keys get the bare 401", async (t) => {
  const { key, secret } = await createApiKey(api.dataDir, "soon revoked");
  t.equal((await withAuthorization(`Basic ${secret}`)).status, 200);
  await revokeApiKey(api.dataDir, key.id);
  for (const [name, header] of [
    ["revoked", `Basic ${secret}`],
    ["unknown", `Basic sk_${"0".repeat(64)}`],
    ["not a secret key", `Basic ${Buffer.from("user:password").toString("base64")}`],
    ["publishable key", "Basic pk_123"],
    ["empty", "Basic "],
  ] as const) {
    const res = await withAuthorization(header);
    t.same([res.status, res.text], [401, UNAUTHORIZED], name);
  }
});

t.test("a key sent as a Bearer token gets Medusa's explanation", async (t) => {
  const { secret } = await createApiKey(api.dataDir, "bearer");
  const res = await withAuthorization(`Bearer ${secret}`);
  t.equal(res.status, 401);
  t.match(res.json.message, /^A secret API key was passed as a Bearer token\./);
});

t.test("keys authenticate admin routes only, not the session or refresh routes", async (t) => {
  const { secret } = await createApiKey(api.dataDir, "scope");
  for (const [method, path] of [["POST", "/auth/session"], ["POST", "/auth/token/refresh"], ["DELETE", "/auth/session"]] as const) {
    const res = await withAuthorization(`Basic ${secret}`, method, path);
    t.same([res.status, res.text], [401, UNAUTHORIZED], `${method} ${path}`);
  }
});

t.test("a key is checked first: a good key with a bad session still works", async (t) => {
  const { secret } = await createApiKey(api.dataDir, "order");
  const res = await api.request("GET", "/admin/customers", { token: false, headers: { authorization: `Basic ${secret}`, cookie: "connect.sid=s%3Ax.y" } });
  t.equal(res.status, 200);
});

t.test("the CLI creates, lists and revokes keys in the service's data directory", async (t) => {
  // Only what the CLI needs: the suite's own server settings (KAFKA_BROKERS, KURRENTDB_URL...) must not reach it.
  const env = { PATH: process.env.PATH, DATA_DIR: api.dataDir, NODE_ENV: "test" };
  const created = await run(process.execPath, [CLI, "--title", "From the CLI"], { env });
  const secret = created.stdout.trim();
  t.match(secret, /^sk_[0-9a-f]{64}$/, "only the key on stdout, for scripts");
  const id = /Created API key (apk_\w+)/.exec(created.stderr)?.[1];
  t.ok(id, created.stderr);
  t.equal((await withAuthorization(`Basic ${secret}`)).status, 200);

  const listed = await run(process.execPath, [CLI, "--list"], { env });
  t.match(listed.stdout, new RegExp(`^${id}\\t"From the CLI"\\t${secret.slice(0, 6)}\\*\\*\\*${secret.slice(-3)}\\t\\S+\\tactive$`, "m"));
  t.notOk(listed.stdout.includes(secret), "the key itself is never shown again");

  await run(process.execPath, [CLI, "--revoke", id!], { env });
  t.equal((await withAuthorization(`Basic ${secret}`)).status, 401, "revoked at once");
  t.match((await run(process.execPath, [CLI, "--list"], { env })).stdout, new RegExp(`^${id}\\t.*\\trevoked \\S+$`, "m"));

  const unknown = await run(process.execPath, [CLI, "--revoke", "apk_nope"], { env }).catch((e) => e);
  t.equal(unknown.code, 1);
  t.match(unknown.stderr, "ApiKey with id: apk_nope was not found");
  for (const args of [[], ["--title", ""], ["--title", "x", "--list"], ["--nope"]]) {
    const failed = await run(process.execPath, [CLI, ...args], { env }).catch((e) => e);
    t.equal(failed.code, 2, args.join(" ") || "no arguments");
    t.match(failed.stderr, /Usage: npm run api-key/);
  }
});
