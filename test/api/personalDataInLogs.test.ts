/**
 * No personal data in the logs: the service runs as `npm start` runs it, logging at `debug`,
 * through logins (good and bad), creates, a duplicate, updates, addresses, searches and bad
 * requests carrying emails, names, phones and addresses; none of them may appear in any line
 * it writes.
 */
import { spawn } from "node:child_process";
import t from "tap";
import { signAdminToken } from "../../shared/auth/adminToken.js";
import { createAdminUser } from "../support/auth.js";
import { freePort } from "../../shared/runtime/roleProcess.js";
import { makeDataDir } from "../support/service.js";

const SECRET = "personal-data-suite-secret";
const PERSONAL = {
  adminEmail: "ada.admin.pii@example.org",
  adminPassword: "Correct Horse PII",
  email: "grace.pii.hopper@example.net",
  newEmail: "grace.changed.pii@example.net",
  firstName: "Gracepii",
  lastName: "Hopperpii",
  phone: "+1 555 0199 7731",
  company: "Piico Engines",
  street: "1 Piistreet Road",
  city: "Piiville",
  postalCode: "PII 4AB",
};

t.test("nothing personal is logged at debug level", async (t) => {
  const data = makeDataDir();
  t.teardown(() => data.remove());
  await createAdminUser(data.dir, PERSONAL.adminEmail, PERSONAL.adminPassword);
  const port = await freePort();
  const child = spawn(process.execPath, ["dist/services/command/main.js"], {
    env: { PATH: process.env.PATH, NODE_ENV: "development", JWT_SECRET: SECRET, DATA_DIR: data.dir, PORT: String(port), HOST: "127.0.0.1", LOG_LEVEL: "debug" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  t.teardown(async () => {
    if (child.exitCode === null) child.kill("SIGKILL");
    await exited;
  });

  const base = `http://127.0.0.1:${port}`;
  for (let tries = 0; ; tries += 1) {
    try {
      if ((await fetch(`${base}/health`)).ok) break;
    } catch {
      if (tries > 200) throw new Error(`the service did not start:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const token = signAdminToken({ secret: SECRET, actorId: "user_01PIITEST00000000000000", now: new Date(), expiresInSeconds: 600 });
  const call = async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => {
    const response = await fetch(`${base}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json", ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: response.status, json: (await response.json()) as any };
  };

  t.equal((await call("POST", "/auth/user/emailpass", { email: PERSONAL.adminEmail, password: "wrong PII password" })).status, 401);
  t.equal((await call("POST", "/auth/user/emailpass", { email: PERSONAL.adminEmail, password: PERSONAL.adminPassword })).status, 200);
  const created = await call("POST", "/admin/customers", {
    email: PERSONAL.email,
    first_name: PERSONAL.firstName,
    last_name: PERSONAL.lastName,
    phone: PERSONAL.phone,
    company_name: PERSONAL.company,
  });
  t.equal(created.status, 200);
  const id = created.json.customer.id;
  t.equal((await call("POST", "/admin/customers", { email: PERSONAL.email })).status, 400, "a duplicate (its message names the email)");
  t.equal((await call("POST", "/admin/customers", { email: `not an email ${PERSONAL.lastName}` })).status, 400, "a bad email");
  t.equal((await call("POST", `/admin/customers/${id}`, { email: PERSONAL.newEmail, last_name: `${PERSONAL.lastName}x` })).status, 200);
  const address = { address_1: PERSONAL.street, city: PERSONAL.city, postal_code: PERSONAL.postalCode, phone: PERSONAL.phone, first_name: PERSONAL.firstName };
  t.equal((await call("POST", `/admin/customers/${id}/addresses`, address)).status, 200);
  t.equal((await call("GET", `/admin/customers?q=${encodeURIComponent(PERSONAL.lastName)}&email=${encodeURIComponent(PERSONAL.newEmail)}`)).status, 200);
  t.equal((await call("GET", `/admin/customers?q=${encodeURIComponent(PERSONAL.city)}&limit=abc`)).status, 400);
  t.equal((await call("POST", "/admin/customers", `{"email":"${PERSONAL.email}"`, {})).status, 400, "malformed JSON holding an email");

  child.kill("SIGTERM");
  await exited;
  const lines = output.split("\n").filter(Boolean);
  t.ok(lines.length >= 20, `the service logged (${lines.length} lines)`);
  t.ok(lines.some((line) => line.includes('"path":"/admin/customers"')), "request logs included");
  for (const [name, value] of Object.entries(PERSONAL)) {
    const found = lines.filter((line) => line.toLowerCase().includes(value.toLowerCase()));
    t.same(found, [], `${name} appears in no log line`);
  }
});
