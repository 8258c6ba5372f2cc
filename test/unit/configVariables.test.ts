/**
 * The roles' --help lists the variables from shared/configVariables.ts, with the defaults
 * loadSettings gives: every variable loadSettings reads is described there, and nothing
 * else is.
 */
import t from "tap";
import { loadSettings } from "../../shared/config.js";
import { CONFIG_SECTIONS, variablesHelp } from "../../shared/configVariables.js";

/** The names loadSettings looks up in an environment, whether set or not. */
function variablesRead(env: Record<string, string>): Set<string> {
  const read = new Set<string>();
  const watched = new Proxy(env, {
    get(target, name) {
      if (typeof name === "string") read.add(name);
      return target[name as string];
    },
  });
  loadSettings(watched, "/srv");
  return read;
}

t.test("every variable loadSettings reads is described, once, and no other", async (t) => {
  const key = { ENCRYPTION_KEY: "00".repeat(32) };
  // Each part of the settings is read only when the variable that turns it on is set.
  const read = new Set([
    ...variablesRead({}),
    ...variablesRead({ KAFKA_BROKERS: "kafka:9092", MONGODB_URL: "mongodb://mongodb" }),
    ...variablesRead({ ...key, POSTGRES_URL: "postgres://postgres/db" }),
  ]);
  const described = CONFIG_SECTIONS.flatMap((section) => section.variables.map((variable) => variable.name));
  t.same(described.filter((name, i) => described.indexOf(name) !== i), [], "none twice");
  t.same([...read].filter((name) => !described.includes(name)).sort(), [], "read but not described in shared/configVariables.ts");
  t.same(described.filter((name) => !read.has(name)).sort(), [], "described but not read by loadSettings");
});

t.test("each role's list: the variables it reads, with the defaults the code has", async (t) => {
  const command = variablesHelp("command");
  t.match(command, /^Environment variables \(NAME=default; README, "Configuration", says more\):\n  The process:\n/);
  for (const line of ["PORT=9000", "HOST=127.0.0.1", "DATA_DIR=./data", "STATE_CACHE_MB=64", "SESSION_COOKIE_NAME=connect.sid", "EVENTS_TOPIC=customers.events.v1", "PROJECTOR_GROUP_ID=customers-read-model", "KEYS_POSTGRES_SCHEMA=customers_keys"]) {
    t.ok(command.includes(`\n    ${line} `) || command.includes(`\n    ${line}\n`), line);
  }
  t.match(command, /\n    JWT_SECRET {2,}signs admin tokens/, "no default shown where there is none to set");
  t.notMatch(command, /HEALTH_PORT/, "the command service answers /health on PORT");

  const publisher = variablesHelp("publisher");
  t.match(publisher, /HEALTH_PORT=0 /);
  t.notMatch(publisher, /JWT_SECRET|PORT=9000/, "nothing of the HTTP API");
  t.match(variablesHelp("projector"), /PROJECTOR_GROUP_ID=customers-read-model/);
  t.notMatch(variablesHelp("group-counts"), /DATA_DIR|POSTGRES/, "the example subscriber keeps nothing in the event store's places");
  t.match(variablesHelp("group-counts", { title: "Its own", variables: [{ name: "GROUP_COUNTS_GROUP_ID", meaning: "its group", fallback: "group-counts" }] }), /\n  Its own:\n    GROUP_COUNTS_GROUP_ID=group-counts\n {38}its group$/);
  t.same(command.split("\n").filter((line) => line.length > 90), [], "at most 90 columns");
});
