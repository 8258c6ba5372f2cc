/**
 * Every program package.json runs (npm start, the roles, the command-line tools, the
 * benchmark, the build) answers --help the same way: exit status 0, a Usage line first, an
 * example, at once, and nothing started: no port opened, nothing written in DATA_DIR. Runs
 * the built files (`npm test` builds first; run alone, this test brings the build up to date).
 */
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import t from "tap";

/** Loaded into each program first: a port being opened ends it with status 99 and says where. */
const NO_LISTEN = `data:text/javascript,${encodeURIComponent(`
import net from "node:net";
net.Server.prototype.listen = function () {
  process.stderr.write("a port was opened: " + new Error().stack + "\\n");
  process.exit(99);
};
`)}`;

/** Each script's program: the file its last \`node\` runs (dist/... or scripts/...), with the scripts that run it. */
function programs(): Map<string, string[]> {
  const { scripts } = JSON.parse(readFileSync("package.json", "utf8")) as { scripts: Record<string, string> };
  const found = new Map<string, string[]>();
  for (const [name, command] of Object.entries(scripts)) {
    const file = [...command.matchAll(/\bnode (?:--[\w-]+ )*((?:dist|scripts)\/\S+\.m?js)/g)].at(-1)?.[1];
    if (file) found.set(file, [...(found.get(file) ?? []), name]);
  }
  return found;
}

interface Answer {
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

function ask(file: string, flag: string, dataDir: string): Promise<Answer> {
  const started = Date.now();
  // Settings that would make a started service listen and write: it must do neither.
  const env = { PATH: process.env.PATH, PORT: "0", HEALTH_PORT: "0", DATA_DIR: dataDir, KAFKA_BROKERS: "", MONGODB_URL: "", POSTGRES_URL: "", KURRENTDB_URL: "" };
  const child = spawn(process.execPath, ["--import", NO_LISTEN, file, flag], { env, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk) => (stdout += chunk));
  child.stderr.on("data", (chunk) => (stderr += chunk));
  const timer = setTimeout(() => child.kill("SIGKILL"), 60_000);
  return new Promise((resolve) =>
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, ms: Date.now() - started });
    }),
  );
}

const build = spawnSync(process.execPath, ["scripts/build.mjs", "--if-needed", "server"], { encoding: "utf8" });
if (build.status !== 0) t.comment(`the build failed; the built files may be older than the sources:\n${build.stderr}`);

t.test("package.json's programs are found", async (t) => {
  const found = programs();
  t.same(found.get("dist/services/command/main.js")?.sort(), ["start", "start:command"]);
  for (const file of ["dist/services/publisher/main.js", "dist/services/projector/main.js", "dist/services/group-counts/main.js", "dist/bench/run.js", "dist/services/cli/token.js", "scripts/build.mjs"]) {
    t.ok(found.has(file), file);
  }
});

t.test("each answers --help with its usage and examples, exits 0 at once, and starts nothing", async (t) => {
  const dataDir = mkdtempSync(join(tmpdir(), "customers-help-"));
  t.teardown(() => rmSync(dataDir, { recursive: true, force: true }));
  const found = [...programs()];
  // -h once: every program reads it with the same code (shared/runtime/cli.ts).
  const asked = [...found.map(([file]) => [file, "--help"]), ["dist/services/command/main.js", "-h"]];
  const answers = new Map<string, Answer>();
  for (let i = 0; i < asked.length; i += 4) {
    const batch = asked.slice(i, i + 4);
    const results = await Promise.all(batch.map(([file, flag]) => ask(file!, flag!, dataDir)));
    batch.forEach(([file, flag], j) => answers.set(`${file} ${flag}`, results[j]!));
  }
  for (const [key, answer] of answers) {
    const scripts = found.find(([file]) => key.startsWith(`${file} `))![1].join(", ");
    t.test(`${key} (npm run ${scripts})`, async (t) => {
      t.equal(answer.code, 0, answer.stderr);
      t.match(answer.stdout, /^Usage: \S/, "a Usage line first");
      t.match(answer.stdout, /\n\nExamples?:\n {2}\S/, "examples");
      t.match(answer.stdout, /-h, --help +show this text/, "-h and --help, as everywhere");
      t.equal(answer.stderr, "", "nothing on stderr: no port opened, no warning");
      t.ok(answer.ms < 20_000, `answered at once (${answer.ms} ms)`);
    });
  }
  t.same(readdirSync(dataDir), [], "nothing written in DATA_DIR");
});

t.test("a wrong option: the problem, the usage, exit status 2", async (t) => {
  const dataDir = mkdtempSync(join(tmpdir(), "customers-help-"));
  t.teardown(() => rmSync(dataDir, { recursive: true, force: true }));
  const answer = await ask("dist/services/command/main.js", "--port=9001", dataDir);
  t.equal(answer.code, 2);
  t.match(answer.stderr, /^Unknown option '--port'[\s\S]*\n\nUsage: npm start\n/);
  t.equal(answer.stdout, "");
});
