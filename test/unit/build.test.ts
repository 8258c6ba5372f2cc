/**
 * scripts/build.mjs, run as `npm start` and the other commands run it, in a small project of
 * its own: with --if-needed a part is built only when what it is made from changed, a touched
 * file is not a change, a missing output is rebuilt in full, and runs started at once build
 * once, a lock left by a process that is gone taken over. tsc and Vite are stand-ins that
 * write their outputs and note each build; one last test compiles with the real tsc.
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, utimesSync, writeFileSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import t, { type Test } from "tap";

const SCRIPT = resolve("scripts/build.mjs");
// Each test has a project of its own: they run side by side.
t.jobs = 4;

/** A stand-in for tsc: compiles by copying each .ts of services/ and shared/ to dist/, noting whether it had build info. */
const FAKE_TSC = `
const { existsSync, mkdirSync, readdirSync, readFileSync, appendFileSync, writeFileSync } = require("node:fs");
const { dirname, join } = require("node:path");
const info = process.argv[process.argv.indexOf("--tsBuildInfoFile") + 1];
appendFileSync("builds.log", (existsSync(info) ? "tsc incremental" : "tsc full") + "\\n");
for (const folder of ["services", "shared"]) {
  for (const file of readdirSync(folder, { recursive: true })) {
    if (!file.endsWith(".ts") || file.startsWith("admin")) continue;
    const text = readFileSync(join(folder, file), "utf8");
    if (text.includes("does not compile")) { console.log(join(folder, file) + ": error TS1005"); process.exit(2); }
    mkdirSync(dirname(join("dist", folder, file)), { recursive: true });
    writeFileSync(join("dist", folder, file.replace(/\\.ts$/, ".js")), text);
  }
}
writeFileSync(info, "{}");
// Until the test lets it finish, so that runs started at the same time meet at the lock.
while (process.env.HOLD_UNTIL && !existsSync(process.env.HOLD_UNTIL)) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 50);
`;

const FAKE_VITE = `
const { appendFileSync, mkdirSync, writeFileSync } = require("node:fs");
appendFileSync("builds.log", "vite " + (process.env.VITE_BACKEND_URL || "/") + "\\n");
mkdirSync("dist/admin", { recursive: true });
writeFileSync("dist/admin/index.html", "<!doctype html>");
`;

interface Project {
  root: string;
  write(file: string, text: string): void;
  /** The builds made since the last call. */
  builds(): string[];
}

function project(t: Test, tools: "stand-ins" | "real tsc" = "stand-ins"): Project {
  const root = mkdtempSync(join(tmpdir(), "customers-build-"));
  t.teardown(() => rmSync(root, { recursive: true, force: true }));
  const write = (file: string, text: string) => {
    mkdirSync(dirname(join(root, file)), { recursive: true });
    writeFileSync(join(root, file), text);
  };
  mkdirSync(join(root, "scripts"));
  copyFileSync(SCRIPT, join(root, "scripts/build.mjs"));
  write("package.json", JSON.stringify({ type: "module" }));
  write("package-lock.json", "{}");
  const compilerOptions = { target: "ES2023", lib: ["ES2023"], module: "NodeNext", moduleResolution: "NodeNext", types: [], strict: true, outDir: "dist", rootDir: ".", noEmit: true };
  // As the project's own: the base names the folders and leaves the admin page out; the build's config lets it emit.
  write("tsconfig.json", `{\n  // the type-check\n  "compilerOptions": ${JSON.stringify(compilerOptions)},\n  "include": ["services", "shared"],\n  "exclude": ["services/admin"],\n}\n`);
  write("tsconfig.build.json", JSON.stringify({ extends: "./tsconfig.json", compilerOptions: { noEmit: false }, include: ["services", "shared"] }));
  write("services/main.ts", "export const port: number = 9000;\n");
  write("shared/config.ts", "export const name: string = 'customers';\n");
  write("services/admin/index.html", "<!doctype html>");
  write("services/admin/vite.config.ts", "export default {};\n");
  write("services/admin/src/main.ts", "document.title = 'admin';\n");
  if (tools === "real tsc") {
    mkdirSync(join(root, "node_modules"));
    symlinkSync(resolve("node_modules/typescript"), join(root, "node_modules/typescript"));
  } else {
    write("node_modules/typescript/package.json", "{}");
    write("node_modules/typescript/bin/tsc", FAKE_TSC);
    write("node_modules/vite/package.json", "{}");
    write("node_modules/vite/bin/vite.js", FAKE_VITE);
  }
  let seen = 0;
  return {
    root,
    write,
    builds() {
      const lines = existsSync(join(root, "builds.log")) ? readFileSync(join(root, "builds.log"), "utf8").split("\n").filter(Boolean) : [];
      const fresh = lines.slice(seen);
      seen = lines.length;
      return fresh;
    },
  };
}

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** A plain environment: none of the test runner's hooks (which would load into every Node started), no VITE_* but the test's. */
const runEnv = (env: Record<string, string>) => ({ PATH: process.env.PATH, ...env });

interface Started {
  child: ChildProcess;
  /** What it has written on stderr so far. */
  stderr(): string;
  done: Promise<Run>;
}

function started(p: Project, args: string[], env: Record<string, string> = {}): Started {
  const child = spawn(process.execPath, ["scripts/build.mjs", ...args], { cwd: p.root, env: runEnv(env) });
  let stdout = "";
  let stderr = "";
  child.stdout!.on("data", (chunk) => (stdout += chunk));
  child.stderr!.on("data", (chunk) => (stderr += chunk));
  return { child, stderr: () => stderr, done: new Promise((done) => child.on("close", (code) => done({ code, stdout, stderr }))) };
}

/** Waits until the condition holds (at most 30 s). */
async function until(condition: () => boolean, what: string): Promise<void> {
  for (const deadline = Date.now() + 30_000; !condition(); await new Promise((resolve) => setTimeout(resolve, 50))) {
    if (Date.now() > deadline) throw new Error(`still not so after 30 s: ${what}`);
  }
}

/** One run to its end (not spawnSync: the tests run side by side). */
const build = (p: Project, args: string[], env: Record<string, string> = {}): Promise<Run> => started(p, args, env).done;

t.test("the first run builds each part; the next finds them up to date and says nothing", async (t) => {
  const p = project(t);
  const first = await build(p, ["--if-needed"]);
  t.equal(first.code, 0, first.stderr);
  t.same(p.builds(), ["tsc full", "vite /"]);
  t.match(first.stderr, /^building the server \(not built yet\) \.\.\.\nbuilding the admin page \(not built yet\) \.\.\.\n$/);
  t.equal(first.stdout, "", "nothing on stdout: `TOKEN=$(npm run --silent token)` captures it");
  t.ok(existsSync(join(p.root, "dist/services/main.js")) && existsSync(join(p.root, "dist/admin/index.html")));

  const second = await build(p, ["--if-needed"]);
  t.same(second, { code: 0, stdout: "", stderr: "" });
  t.same(p.builds(), [], "nothing built");
});

t.test("a changed, added or removed source is built again, incrementally; a touched one is not", async (t) => {
  const p = project(t);
  await build(p, ["--if-needed"]);
  p.builds();

  p.write("shared/config.ts", "export const name: string = 'renamed';\n");
  const changed = await build(p, ["--if-needed"]);
  t.equal(changed.code, 0);
  t.equal(changed.stderr, "building the server (shared/config.ts changed since the last build) ...\n", "one line, naming the change; the admin page is up to date");
  t.same(p.builds(), ["tsc incremental"]);
  t.match(readFileSync(join(p.root, "dist/shared/config.js"), "utf8"), /renamed/);

  const later = new Date(Date.now() + 60_000);
  utimesSync(join(p.root, "services/main.ts"), later, later);
  t.same(await build(p, ["--if-needed"]), { code: 0, stdout: "", stderr: "" }, "a file touched (a checkout, an editor) but the same is no change");
  t.same(p.builds(), []);

  p.write("services/cli/token.ts", "export {};\n");
  t.match((await build(p, ["--if-needed", "server"])).stderr, /building the server \(services\/cli\/token\.ts changed since the last build\)/, "a new file");
  rmSync(join(p.root, "services/cli/token.ts"));
  t.match((await build(p, ["--if-needed", "server"])).stderr, /services\/cli\/token\.ts changed/, "a removed file");
  t.same(p.builds(), ["tsc incremental", "tsc incremental"]);

  p.write("tsconfig.json", readFileSync(join(p.root, "tsconfig.json"), "utf8").replace('"ES2023"', '"ES2022"'));
  p.write("package-lock.json", '{"lockfileVersion":3}');
  t.match((await build(p, ["--if-needed"])).stderr, /building the server \(tsconfig\.json and 1 more changed[^\n]*\nbuilding the admin page \(package-lock\.json changed/, "the configuration and the packages are inputs too");
  t.same(p.builds(), ["tsc incremental", "vite /"]);

  p.write("services/admin/src/main.ts", "document.title = 'customers';\n");
  p.write("services/admin/README.txt", "not TypeScript, but part of the page's folder");
  t.match((await build(p, ["--if-needed"])).stderr, /^building the admin page \(services\/admin\/\S+ and 1 more changed since the last build\) \.\.\.\n$/, "the page's sources are not the server's");
  t.same(p.builds(), ["vite /"]);
});

t.test("the admin page is built again for another VITE_BACKEND_URL", async (t) => {
  const p = project(t);
  await build(p, ["--if-needed"]);
  p.builds();
  t.match((await build(p, ["--if-needed"], { VITE_BACKEND_URL: "https://api.example.com" })).stderr, /building the admin page \(VITE_BACKEND_URL changed since the last build\)/);
  t.same((await build(p, ["--if-needed"], { VITE_BACKEND_URL: "https://api.example.com" })).stderr, "");
  t.match((await build(p, ["--if-needed"])).stderr, /VITE_BACKEND_URL changed/, "and again for the page served by this service");
  t.same(p.builds(), ["vite https://api.example.com", "vite /"]);
});

t.test("a missing output is built again in full (tsc's build info would skip it); without --if-needed every part is", async (t) => {
  const p = project(t);
  await build(p, ["--if-needed"]);
  p.builds();
  rmSync(join(p.root, "dist/services/main.js"));
  rmSync(join(p.root, "dist/admin"), { recursive: true });
  t.equal((await build(p, ["--if-needed"])).stderr, "building the server (dist/services/main.js is missing) ...\nbuilding the admin page (dist/admin/index.html is missing) ...\n");
  t.same(p.builds(), ["tsc full", "vite /"]);

  t.equal((await build(p, [])).stderr, "building the server ...\nbuilding the admin page ...\n", "npm run build, with all up to date");
  t.same(p.builds(), ["tsc full", "vite /"]);
  t.same(await build(p, ["--if-needed"]), { code: 0, stdout: "", stderr: "" }, "and it leaves them up to date");
});

t.test("dist/ written by another build (an older checkout's, tsc by hand) is built again in full", async (t) => {
  const p = project(t);
  await build(p, ["--if-needed"]);
  p.builds();
  // Another build writes the output of an older version of a source; the source is then as it was.
  writeFileSync(join(p.root, "dist/services/main.js"), "export const port = 8000;\n");
  const later = new Date(Date.now() + 60_000);
  utimesSync(join(p.root, "services/main.ts"), later, later);
  t.equal((await build(p, ["--if-needed"])).stderr, "building the server (dist/services/main.js was written by another build) ...\n");
  t.same(p.builds(), ["tsc full"]);
  t.match(readFileSync(join(p.root, "dist/services/main.js"), "utf8"), /port: number = 9000/);
});

t.test("a failed build says so, exits with the compiler's code, and is tried again next time", async (t) => {
  const p = project(t);
  await build(p, ["--if-needed"]);
  p.builds();
  p.write("shared/config.ts", "export const name: string = ; // does not compile\n");
  const failed = await build(p, ["--if-needed"]);
  t.equal(failed.code, 2);
  t.match(failed.stderr, /shared\/config\.ts: error TS1005\nThe build of the server failed \(see above\)\.\n$/, "the compiler's output goes to stderr too");
  t.equal(failed.stdout, "");
  t.match((await build(p, ["--if-needed"])).stderr, /building the server \(not built yet\)/, "not taken as built");
  t.same(p.builds(), ["tsc incremental", "tsc incremental"], "the admin page was not started after the failure");
});

t.test("three runs started at once build once; the others wait and find it up to date", async (t) => {
  const p = project(t);
  await build(p, ["--if-needed"]);
  p.builds();
  p.write("services/main.ts", "export const port: number = 9001;\n");
  const go = join(p.root, "go");
  const three = [0, 1, 2].map(() => started(p, ["--if-needed", "server"], { HOLD_UNTIL: go }));
  const said = () => three.map((run) => run.stderr()).join("");
  // One builds (its tsc held until the others are waiting), the other two wait for it.
  await until(() => said().match(/^building the server \(services\/main\.ts changed since the last build\) \.\.\.$/gm)?.length === 1 && said().match(/^waiting for the build of the server that process \d+ is running \.\.\.$/gm)?.length === 2, "one building, two waiting");
  writeFileSync(go, "");
  const runs = await Promise.all(three.map((run) => run.done));
  t.same(runs.map((run) => run.code), [0, 0, 0]);
  t.same(p.builds(), ["tsc incremental"], "one build");
  t.equal(runs.filter((run) => run.stderr.includes("building the server")).length, 1, "the waiting ones find it up to date");
  t.notOk(existsSync(join(p.root, "dist/.build/server.lock")), "the lock is gone");
});

t.test("a lock held by a live process is waited for; one left by a process that is gone is taken over", async (t) => {
  const p = project(t);
  await build(p, ["--if-needed"]);
  p.builds();
  p.write("services/main.ts", "export const port: number = 9002;\n");
  const lock = join(p.root, "dist/.build/server.lock");
  writeFileSync(lock, JSON.stringify({ pid: process.pid, host: hostname(), started: Date.now() }));
  const waiting = started(p, ["--if-needed", "server"]);
  await until(() => waiting.stderr().includes("waiting"), "waiting");
  await new Promise((resolve) => setTimeout(resolve, 300));
  t.equal(waiting.child.exitCode, null, "still waiting while the holder lives");
  t.same(p.builds(), []);
  rmSync(lock);
  const run = await waiting.done;
  t.equal(run.code, 0);
  t.match(run.stderr, new RegExp(`waiting for the build of the server that process ${process.pid} is running \\.\\.\\.\\nbuilding the server`));
  t.same(p.builds(), ["tsc incremental"]);

  const gone = spawnSync(process.execPath, ["-e", "0"]).pid;
  p.write("services/main.ts", "export const port: number = 9003;\n");
  writeFileSync(lock, JSON.stringify({ pid: gone, host: hostname(), started: Date.now() }));
  const takenOver = await build(p, ["--if-needed", "server"]);
  t.equal(takenOver.code, 0);
  t.equal(takenOver.stderr, "building the server (services/main.ts changed since the last build) ...\n");
  t.notOk(existsSync(lock));
});

t.test("wrong options: the usage and exit code 2; --help: the usage and 0", async (t) => {
  const p = project(t);
  const wrong = await build(p, ["--if-needed", "everything"]);
  t.equal(wrong.code, 2);
  t.match(wrong.stderr, /"everything" is not a part[\s\S]*Usage: /);
  const help = await build(p, ["--help"]);
  t.equal(help.code, 0);
  t.match(help.stdout, /^Usage: [\s\S]*Examples:\n  npm run build/);
  t.same(p.builds(), []);
});

t.test("with the real tsc: an incremental build after a change writes the change", async (t) => {
  const p = project(t, "real tsc");
  const first = await build(p, ["--if-needed", "server"]);
  t.equal(first.code, 0, first.stderr);
  t.match(readFileSync(join(p.root, "dist/services/main.js"), "utf8"), /port = 9000/);
  t.ok(existsSync(join(p.root, "dist/.build/server.tsbuildinfo")), "tsc keeps its build info with the build");
  p.write("services/main.ts", "export const port: number = 9100;\n");
  const second = await build(p, ["--if-needed", "server"]);
  t.equal(second.code, 0, second.stderr);
  t.match(readFileSync(join(p.root, "dist/services/main.js"), "utf8"), /port = 9100/);
  t.same(await build(p, ["--if-needed", "server"]), { code: 0, stdout: "", stderr: "" });
});
