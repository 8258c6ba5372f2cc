/**
 * Admin users in the real event store (SQLite): unique emails under concurrency, lookup
 * by email, and the `npm run user` CLI writing to DATA_DIR.
 */
import { execFile } from "node:child_process";
import { randomUUID } from "node:crypto";
import { join } from "node:path";
import { promisify } from "node:util";
import t from "tap";
import { AdminUsers } from "../../shared/application/adminUsers.js";
import { verifyPassword } from "../../shared/auth/password.js";
import { SqliteEventStore } from "../../shared/eventstore/sqlite.js";
import { UserAlreadyExists } from "../../shared/users/user.js";
import { makeDataDir } from "../support/service.js";

const run = promisify(execFile);
const CLI = join(import.meta.dirname, "../../dist/services/cli/user.js");
const context = { actor: { id: "test", type: "system" }, correlationId: "c", causationId: "c" };

const data = makeDataDir();
t.teardown(data.remove);

function users(store: SqliteEventStore) {
  let n = 0;
  return new AdminUsers({
    store,
    clock: () => new Date(),
    newUserId: () => `user_${++n}_${randomUUID()}`,
    newAuthIdentityId: () => `authid_${randomUUID()}`,
    reservationGraceMs: 30_000,
    hashPassword: async (password) => `hash-of-${password}`,
  });
}

t.test("parallel creates of one email make exactly one user", async (t) => {
  const store = new SqliteEventStore(join(data.dir, "race.sqlite"));
  t.teardown(() => store.close());
  const admin = users(store);
  const results = await Promise.allSettled(Array.from({ length: 8 }, (_, i) => admin.create({ email: "race@example.com", password: `pw${i}` }, context)));
  const created = results.filter((r) => r.status === "fulfilled");
  t.equal(created.length, 1);
  for (const r of results) if (r.status === "rejected") t.type(r.reason, UserAlreadyExists);
  const found = await admin.findByEmail("race@example.com");
  t.equal(found?.id, (created[0] as PromiseFulfilledResult<{ id: string }>).value.id);
  t.equal(await admin.findByEmail("RACE@example.com"), undefined, "emails are matched exactly");
  t.equal(await admin.findByEmail("nobody@example.com"), undefined);
});

t.test("the CLI creates a user others can find, and leaves them as they are when asked again for the same email", async (t) => {
  // Only what the CLI needs: the suite's own server settings (KAFKA_BROKERS, KURRENTDB_URL...) must not reach it.
  const env = { PATH: process.env.PATH, DATA_DIR: data.dir, NODE_ENV: "test" };
  const first = await run(process.execPath, [CLI, "-e", "admin@example.com", "-p", "s3cret"], { env });
  t.match(first.stdout, /^Created admin user user_[0-9A-HJKMNP-TV-Z]{26} \(admin@example\.com\)\.$/m);

  // Run twice (a set-up script run again): one line saying so, and success, so the script goes on.
  const again = await run(process.execPath, [CLI, "--email", "admin@example.com", "--password", "other"], { env });
  t.equal(again.stdout, "Admin user admin@example.com already exists; nothing changed. Log in with their password, or choose another email.\n");
  t.equal(again.stderr, "");

  const store = new SqliteEventStore(join(data.dir, "events.sqlite"));
  t.teardown(() => store.close());
  const user = await users(store).findByEmail("admin@example.com");
  t.match(user, { email: "admin@example.com", auth_identity_id: /^authid_[0-9A-Z]{26}$/ });
  t.ok(await verifyPassword("s3cret", user!.password_hash), "the stored hash verifies the password first given, not the second");
  t.notOk(user!.password_hash.includes("s3cret"));
});

t.test("the CLI explains itself and its mistakes", async (t) => {
  // Only what the CLI needs: the suite's own server settings (KAFKA_BROKERS, KURRENTDB_URL...) must not reach it.
  const env = { PATH: process.env.PATH, DATA_DIR: data.dir, NODE_ENV: "test" };
  const help = await run(process.execPath, [CLI, "--help"], { env });
  t.match(help.stdout, /Usage: npm run user -- --email EMAIL --password PASSWORD/);
  t.match(help.stdout, /exists already, it changes nothing, says so on one line and\nexits with status 0/);
  for (const args of [[], ["-e", "a@b.c"], ["-p", "x"], ["--bogus"]]) {
    const failed = await run(process.execPath, [CLI, ...args], { env }).catch((e) => e);
    t.equal(failed.code, 2, args.join(" ") || "no arguments");
    t.match(failed.stderr, /Usage: npm run user/);
  }
});
