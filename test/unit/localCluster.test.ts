/**
 * `npm run cluster`'s pure parts: its command line, the settings each role gets, its log
 * lines and its ready summary. The cluster itself runs in test/cluster/localCluster.test.ts.
 */
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import t from "tap";
import { LastLines, linePrefixer, prefixFor } from "../../services/cli/cluster/logLines.js";
import { type ClusterOptions, DEFAULT_DATA_DIR, UsageError, parseClusterOptions } from "../../services/cli/cluster/options.js";
import { planCluster } from "../../services/cli/cluster/plan.js";
import { READY_LINE, readySummary } from "../../services/cli/cluster/summary.js";

const run = promisify(execFile);
const shared = { dataDir: "/srv/cluster", kafkaBrokers: "127.0.0.1:9092", mongodbUrl: "mongodb://127.0.0.1:27017" };
const options = (overrides: Partial<ClusterOptions> = {}): ClusterOptions => ({
  commands: 1,
  projectors: 1,
  port: 9000,
  dataDir: DEFAULT_DATA_DIR,
  keepServers: false,
  ...overrides,
});

t.test("the options: defaults, and each one given", async (t) => {
  t.same(parseClusterOptions([]), options());
  t.same(parseClusterOptions(["--commands", "2", "--projectors", "3", "--port", "19000", "--data-dir", "/tmp/c", "--keep-servers"]), {
    commands: 2,
    projectors: 3,
    port: 19000,
    dataDir: "/tmp/c",
    keepServers: true,
  });
  t.equal(parseClusterOptions(["--help"]), "help");
  t.equal(parseClusterOptions(["-h"]), "help");
});

t.test("a wrong option says what is wrong", async (t) => {
  const cases: Array<[string[], RegExp]> = [
    [["--commands", "0"], /--commands must be a whole number from 1 to 32 \(got "0"\)/],
    [["--projectors", "two"], /--projectors must be a whole number from 1 to 32 \(got "two"\)/],
    [["--commands", "1.5"], /--commands must be a whole number/],
    [["--port", "70000"], /--port must be a whole number from 1 to 65535/],
    [["--port", "65534", "--commands", "2"], /--port 65534 leaves too few ports for 4 processes/],
    [["--data-dir", ""], /--data-dir must name a directory/],
    [["--replicas", "2"], /Unknown option '--replicas'/],
    [["--commands"], /--commands/],
    [["extra"], /extra/],
  ];
  for (const [argv, message] of cases) t.throws(() => parseClusterOptions(argv), { name: "UsageError", message }, argv.join(" "));
  t.ok(new UsageError("x") instanceof Error);
});

t.test("the CLI answers a wrong option with the message and the usage on stderr, and exit 2", async (t) => {
  // The build `npm run cluster` runs (npm test builds it first).
  const result = await run(process.execPath, ["dist/services/cli/cluster.js", "--projectors", "0"]).catch((error: { code: number; stdout: string; stderr: string }) => error);
  if (!("code" in result)) throw new Error("the CLI took --projectors 0");
  t.equal(result.code, 2);
  t.match(result.stderr, /^--projectors must be a whole number from 1 to 32 \(got "0"\)\.\n\nUsage: npm run cluster/);
  t.equal(result.stdout, "");
});

t.test("the roles: the command services first on consecutive ports, then the publisher and the projectors with health ports", async (t) => {
  const plans = planCluster(options({ commands: 3, projectors: 2, port: 9100 }), shared, { PATH: "/usr/bin" });
  t.same(
    plans.map(({ name, role, port, healthUrl }) => ({ name, role, port, healthUrl })),
    [
      { name: "command-1", role: "command", port: 9100, healthUrl: "http://127.0.0.1:9100/health" },
      { name: "command-2", role: "command", port: 9101, healthUrl: "http://127.0.0.1:9101/health" },
      { name: "command-3", role: "command", port: 9102, healthUrl: "http://127.0.0.1:9102/health" },
      { name: "publisher", role: "publisher", port: 9103, healthUrl: "http://127.0.0.1:9103/health" },
      { name: "projector-1", role: "projector", port: 9104, healthUrl: "http://127.0.0.1:9104/health" },
      { name: "projector-2", role: "projector", port: 9105, healthUrl: "http://127.0.0.1:9105/health" },
    ],
  );
  t.equal(plans.filter((plan) => plan.role === "projector").length, 2, "as many projectors as asked for");
});

t.test("only the command services get PORT, only the publisher and projectors HEALTH_PORT; the caller's own are replaced", async (t) => {
  const plans = planCluster(options({ commands: 2, projectors: 2 }), shared, { PORT: "1234", HEALTH_PORT: "4321" });
  for (const plan of plans) {
    if (plan.role === "command") {
      t.equal(plan.env.PORT, String(plan.port), plan.name);
      t.notOk("HEALTH_PORT" in plan.env, `${plan.name} has no HEALTH_PORT`);
    } else {
      t.equal(plan.env.HEALTH_PORT, String(plan.port), plan.name);
      t.notOk("PORT" in plan.env, `${plan.name} has no PORT`);
    }
  }
});

t.test("every role shares DATA_DIR, the servers, JWT_SECRET and the rest of the environment", async (t) => {
  const env = { JWT_SECRET: "one secret", LOG_LEVEL: "debug", EVENTS_TOPIC: "customers.events.mine", DATA_DIR: "./elsewhere", KAFKA_BROKERS: "ignored:1" };
  const plans = planCluster(options({ commands: 2, projectors: 3 }), { ...shared, kafkaBrokers: "10.0.0.1:9092" }, env);
  for (const plan of plans) {
    t.match(
      plan.env,
      { DATA_DIR: "/srv/cluster", KAFKA_BROKERS: "10.0.0.1:9092", MONGODB_URL: "mongodb://127.0.0.1:27017", JWT_SECRET: "one secret", LOG_LEVEL: "debug", EVENTS_TOPIC: "customers.events.mine" },
      plan.name,
    );
    t.notOk("ENCRYPTION_KEY" in plan.env, "the master key stays in DATA_DIR unless one is given");
  }
  const withKey = planCluster(options(), { ...shared, encryptionKey: "ab".repeat(32) }, {});
  t.ok(withKey.every((plan) => plan.env.ENCRYPTION_KEY === "ab".repeat(32)), "a master key given reaches every role");
});

t.test("health URLs call a server listening on every address over loopback", async (t) => {
  const [command] = planCluster(options(), shared, { HOST: "0.0.0.0" });
  t.equal(command!.healthUrl, "http://127.0.0.1:9000/health");
  t.equal(command!.env.HOST, "0.0.0.0");
  t.equal(planCluster(options(), shared, { HOST: "::1" })[0]!.healthUrl, "http://[::1]:9000/health");
});

t.test("log lines: whole lines, each with the process's name in front, however the output is cut", async (t) => {
  const prefix = prefixFor("command-1", 11, undefined);
  t.equal(prefix, "command-1   | ");
  const lines = linePrefixer(prefix);
  t.same(lines.push('{"msg":"sta'), [], "half a line waits for its end");
  t.same(lines.push('rted"}\r\n{"msg":"a"}\n{"msg":'), ['command-1   | {"msg":"started"}', 'command-1   | {"msg":"a"}']);
  t.same(lines.push('"b"}'), []);
  t.same(lines.end(), ['command-1   | {"msg":"b"}'], "the last line without a newline is shown at the end");
  t.same(lines.end(), []);
});

t.test("names are colored only when asked (a terminal), each its own color", async (t) => {
  t.notMatch(prefixFor("publisher", 9, undefined), /\u001b/);
  t.equal(prefixFor("publisher", 9, 0), "\u001b[36mpublisher |\u001b[0m ");
  t.not(prefixFor("publisher", 9, 1), prefixFor("publisher", 9, 0));
});

t.test("the last lines of a process are kept to show when it dies", async (t) => {
  const last = new LastLines(3);
  last.add(["1", "2"]);
  last.add(["3", "4", "5"]);
  t.same(last.lines, ["3", "4", "5"]);
});

t.test("the ready summary names every URL and how to get a token", async (t) => {
  const plans = planCluster(options({ commands: 2 }), shared, {});
  const text = readySummary(plans, { dataDir: "/srv/cluster", logDir: "/srv/cluster/logs", encryptionKeyInEnvironment: false, jwtSecretIsDefault: true }).join("\n");
  t.match(text, new RegExp(`^${READY_LINE} 2 command services, the publisher, 1 projector\\.`));
  t.match(text, /http:\/\/127\.0\.0\.1:9000 {2}http:\/\/127\.0\.0\.1:9001/);
  t.match(text, /admin page {2}http:\/\/127\.0\.0\.1:9000\/app/);
  for (const port of [9000, 9001, 9002, 9003]) t.match(text, `http://127.0.0.1:${port}/health`);
  t.match(text, "DATA_DIR=/srv/cluster npm run --silent user -- -e admin@example.com");
  t.match(text, "curl -s http://127.0.0.1:9000/auth/user/emailpass");
  t.match(text, "npm run --silent token");
  const onPostgres = readySummary(plans, {
    dataDir: "/srv/my cluster",
    logDir: "/srv/my cluster/logs",
    postgresUrl: "postgres://postgres@127.0.0.1:55432/customers",
    encryptionKeyInEnvironment: false,
    jwtSecretIsDefault: false,
  }).join("\n");
  t.match(onPostgres, "DATA_DIR='/srv/my cluster' POSTGRES_URL=postgres://postgres@127.0.0.1:55432/customers ENCRYPTION_KEY=$(cat '/srv/my cluster/master.key') npm run");
});
