#!/usr/bin/env node
/**
 * Builds dist/: the server (tsc -p tsconfig.build.json) and the admin page (Vite, into
 * dist/admin). Plain JavaScript, so it runs before anything is compiled.
 *
 * With --if-needed, which `npm start`, the other commands and `npm test` run first, a part is
 * built only when what it is made from changed since its last successful build (or its output
 * is missing), and the server incrementally. What the last build was made from is kept in
 * dist/.build/<part>.json: each input's modification time, size and content hash (a file
 * touched but unchanged is no change), and for the admin page the VITE_* variables it was
 * built with; and what the build wrote, so that dist/ written over by something else (an
 * older checkout's build, tsc run by hand) is built again. Inputs are compared with that
 * record, not with the time of the build, so a file saved while a build runs is built again
 * next time.
 *
 * Processes started at once (three `npm run start:*`) build a part once: the builder holds
 * dist/.build/<part>.lock (made with an exclusive create, holding its PID), the others wait
 * for it to go and then find the part up to date. A lock whose process is gone is taken over.
 */
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { linkSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import { dirname, join, relative, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

const usage = `Usage: npm run build                       (every part, always)
       node scripts/build.mjs [--if-needed] [server] [admin]

Builds what the service runs from into dist/: "server" compiles the TypeScript of
services/, shared/ and bench/ (tsc -p tsconfig.build.json), "admin" builds the admin
page (Vite, into dist/admin). Both when neither is named.

With --if-needed a part is built only when a file it is made from, package.json,
package-lock.json or the installed packages changed since its last build (for the
admin page also a VITE_* variable), or when its output is missing or was written by
something else since; the server is then compiled incrementally. \`npm start\`, the other commands and \`npm test\` run it so
before they start. Processes started at the same time build once: the others wait.

  --if-needed   build only what is out of date; print nothing when all is
  -h, --help    show this text

What the last builds were made from is kept in dist/.build/ (delete dist/ to start over).

Examples:
  npm run build
  node scripts/build.mjs --if-needed server
  VITE_BACKEND_URL=https://api.example.com npm run build:admin

Exit codes: 0 built or up to date, 1 the build failed, 2 wrong options.`;

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const STATE_DIR = join(ROOT, "dist", ".build");
const TS_SOURCE = /\.(ts|tsx|mts|cts)$/;
/** What every part is made with: the project's manifest and the packages installed from it. */
const PACKAGE_FILES = ["package.json", "package-lock.json", "node_modules/.package-lock.json"];
/** A lock older than this is taken over even if its PID is alive again (a reused PID). */
const LOCK_MAX_AGE_MS = 30 * 60_000;

const PARTS = {
  server: {
    title: "the server",
    inputs: serverInputs,
    /** What a build writes (the compiled files; their source maps go with them). */
    outputs: (inputs) =>
      Object.keys(inputs)
        .filter((file) => TS_SOURCE.test(file) && !/\.d\.[mc]?ts$/.test(file))
        .map((file) => join("dist", file.replace(/\.tsx?$/, ".js").replace(/\.mts$/, ".mjs").replace(/\.cts$/, ".cjs"))),
    async build({ full }) {
      const buildInfo = join(STATE_DIR, "server.tsbuildinfo");
      // tsc trusts its build info about what is already in dist/: without it, everything is written again.
      if (full) rmSync(buildInfo, { force: true });
      return run(tool("typescript/bin/tsc"), ["-p", "tsconfig.build.json", "--incremental", "--tsBuildInfoFile", relative(ROOT, buildInfo)]);
    },
  },
  admin: {
    title: "the admin page",
    inputs: () => ({
      ...stampsOf(listFiles("services/admin")),
      ...stampsOf(PACKAGE_FILES),
      // What the page is built for: its API's address (VITE_BACKEND_URL) and the mode.
      ...Object.fromEntries(
        Object.entries(process.env)
          .filter(([name]) => name.startsWith("VITE_") || name === "NODE_ENV")
          .map(([name, value]) => [`$${name}`, value]),
      ),
    }),
    outputs: () => [join("dist", "admin", "index.html"), ...listFiles(join("dist", "admin", "assets"))],
    build: () => run(tool("vite/bin/vite.js"), ["build", "--config", "services/admin/vite.config.ts"]),
  },
};

/** The files tsc compiles for tsconfig.build.json (its include and exclude, following extends), and its configuration. */
function serverInputs() {
  const configs = [];
  const settings = { include: undefined, exclude: undefined };
  // The nearest file that sets include or exclude decides it, as in tsc.
  const follow = (file) => {
    configs.push(file);
    const config = readJsonc(join(ROOT, file));
    settings.include ??= config.include;
    settings.exclude ??= config.exclude;
    // Of several bases the last counts first; a base from a package cannot set this project's files.
    for (const base of [config.extends ?? []].flat().reverse()) {
      if (base.startsWith(".")) follow(relative(ROOT, join(ROOT, dirname(file), base.endsWith(".json") ? base : `${base}.json`)));
    }
  };
  follow("tsconfig.build.json");
  // A pattern counts from its last folder before a wildcard: that watches more, never less.
  const folderOf = (pattern) => {
    const parts = pattern.replace(/^\.\//, "").split(/[\\/]/);
    const wild = parts.findIndex((part) => /[*?]/.test(part));
    return (wild === -1 ? parts : parts.slice(0, wild)).join("/") || ".";
  };
  const excluded = (settings.exclude ?? []).map(folderOf);
  const sources = (settings.include ?? ["."])
    .map(folderOf)
    .flatMap((folder) => listFiles(folder))
    .filter((file) => TS_SOURCE.test(file) && !excluded.some((folder) => file === folder || file.startsWith(`${folder}/`)));
  return { ...stampsOf(sources), ...stampsOf(configs), ...stampsOf(PACKAGE_FILES) };
}

/** A tsconfig file: JSON with comments and trailing commas allowed. */
function readJsonc(file) {
  const text = readFileSync(file, "utf8")
    .replace(/("(?:\\.|[^"\\])*")|\/\/[^\n]*|\/\*[\s\S]*?\*\//g, (match, string) => string ?? "")
    .replace(/,(\s*[}\]])/g, "$1");
  return JSON.parse(text);
}

/** Every file under a folder of the project (relative, with /), node_modules left out. */
function listFiles(folder) {
  let entries;
  try {
    entries = readdirSync(join(ROOT, folder), { recursive: true, withFileTypes: true });
  } catch (error) {
    if (error.code === "ENOENT") return [];
    if (error.code === "ENOTDIR") return [folder];
    throw error;
  }
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => relative(ROOT, join(entry.parentPath ?? entry.path, entry.name)).split(sep).join("/"))
    .filter((file) => !file.split("/").includes("node_modules"));
}

/** path -> { mtime, size, sha1 } (undefined for a file that is not there, so that its coming is a change too). */
function stampsOf(files) {
  return Object.fromEntries(
    files.map((file) => {
      try {
        const { mtimeMs, size } = statSync(join(ROOT, file));
        return [file, { mtime: mtimeMs, size, sha1: () => createHash("sha1").update(readFileSync(join(ROOT, file))).digest("hex") }];
      } catch {
        return [file, null];
      }
    }),
  );
}

/** Whether an input is as recorded: the same time and size, or else the same content (a touched or checked-out file). */
function sameInput(now, recorded) {
  if (now === undefined || recorded === undefined) return false;
  if (now === null || recorded === null || typeof now === "string" || typeof recorded === "string") return now === recorded;
  if (now.mtime === recorded.mtime && now.size === recorded.size) return true;
  return now.size === recorded.size && (typeof now.sha1 === "function" ? now.sha1() : now.sha1) === recorded.sha1;
}

/** The inputs as written to the record: content hashes taken now. */
const recordOf = (inputs) =>
  Object.fromEntries(Object.entries(inputs).map(([key, value]) => [key, value && typeof value === "object" ? { ...value, sha1: value.sha1() } : value]));

/** path -> "modification time:size" of what a build wrote (null: missing). */
function writtenOf(files) {
  return Object.fromEntries(
    files.map((file) => {
      const stat = statSafe(join(ROOT, file));
      return [file, stat ? `${stat.mtimeMs}:${stat.size}` : null];
    }),
  );
}

/**
 * Why the part must be built, or undefined when dist/ has it as its inputs make it; `full`
 * when tsc's build info cannot be trusted about what is in dist/ (it writes only what changed
 * since, so an output missing or written by another build, an older checkout's say, needs a
 * full build).
 */
function staleness(name, inputs) {
  let record;
  try {
    record = JSON.parse(readFileSync(join(STATE_DIR, `${name}.json`), "utf8"));
  } catch {
    record = undefined;
  }
  const recorded = record?.inputs;
  const changed = recorded ? [...new Set([...Object.keys(inputs), ...Object.keys(recorded)])].filter((key) => !sameInput(inputs[key], recorded[key])) : [];
  const unchanged = recorded ? Object.fromEntries(Object.entries(inputs).filter(([key]) => !changed.includes(key))) : inputs;
  const missing = PARTS[name].outputs(unchanged).find((file) => !exists(file));
  const rewritten = Object.entries(record?.outputs ?? {}).find(([file, written]) => writtenOf([file])[file] !== written)?.[0];
  const full = missing !== undefined || rewritten !== undefined;
  if (!recorded || !record.outputs) return { reason: "not built yet", full };
  if (changed.length > 0) {
    const first = changed[0].startsWith("$") ? changed[0].slice(1) : changed[0];
    return { reason: `${first}${changed.length > 1 ? ` and ${changed.length - 1} more` : ""} changed since the last build`, full };
  }
  if (missing) return { reason: `${missing} is missing`, full };
  if (rewritten) return { reason: `${rewritten} ${exists(rewritten) ? "was written by another build" : "is missing"}`, full };
  return undefined;
}

function exists(file) {
  try {
    statSync(join(ROOT, file));
    return true;
  } catch {
    return false;
  }
}

/** Builds the part if it must be (always when `full`), holding its lock. Returns the exit code. */
async function buildPart(name, { full }) {
  const part = PARTS[name];
  if (!full && !staleness(name, part.inputs())) return 0;
  const release = await acquireLock(name);
  try {
    // Looked at again under the lock: a build that just finished has made it up to date.
    // The inputs as they are before the build begins: a file saved during it differs next time.
    const inputs = recordOf(part.inputs());
    const stale = full ? { reason: "", full: true } : staleness(name, inputs);
    if (!stale) return 0;
    // Others looking meanwhile must find it out of date and wait, not run a half-written dist/.
    rmSync(join(STATE_DIR, `${name}.json`), { force: true });
    console.error(`building ${part.title}${stale.reason ? ` (${stale.reason})` : ""} ...`);
    const code = await part.build({ full: stale.full });
    if (code !== 0) return code;
    // What this build wrote, to tell later whether something else has written over it.
    const outputs = writtenOf(part.outputs(inputs));
    const stamp = join(STATE_DIR, `${name}.json`);
    writeFileSync(`${stamp}.${process.pid}`, `${JSON.stringify({ built_at: new Date().toISOString(), inputs, outputs }, null, 1)}\n`);
    renameSync(`${stamp}.${process.pid}`, stamp);
    return 0;
  } finally {
    release();
  }
}

const heldLocks = new Set();

/** Takes dist/.build/<part>.lock, waiting while a live process holds it. Returns its release. */
async function acquireLock(name) {
  mkdirSync(STATE_DIR, { recursive: true });
  const file = join(STATE_DIR, `${name}.lock`);
  const mine = JSON.stringify({ pid: process.pid, host: hostname(), started: Date.now() });
  let announced = false;
  for (;;) {
    try {
      writeFileSync(file, mine, { flag: "wx" });
      const release = () => {
        heldLocks.delete(release);
        if (read(file) === mine) rmSync(file, { force: true });
      };
      heldLocks.add(release);
      return release;
    } catch (error) {
      if (error.code !== "EEXIST") throw error;
    }
    const text = read(file);
    if (text === undefined) continue;
    const holder = parseHolder(text, file);
    if (!holder) {
      takeOver(file, text);
      continue;
    }
    if (!announced) {
      console.error(`waiting for the build of ${PARTS[name].title} that ${holder.pid ? `process ${holder.pid}` : "another process"} is running ...`);
      announced = true;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** The lock's holder while it may still be building; undefined when the lock is stale. */
function parseHolder(text, file) {
  let holder;
  try {
    holder = JSON.parse(text);
  } catch {
    // Being written (it is made, then filled), unless it has stayed unreadable for seconds.
    const age = Date.now() - (statSafe(file)?.mtimeMs ?? 0);
    return age < 10_000 ? { pid: undefined } : undefined;
  }
  if (Date.now() - holder.started > LOCK_MAX_AGE_MS) return undefined;
  if (holder.host === hostname() && !alive(holder.pid)) return undefined;
  return holder;
}

function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return error.code === "EPERM";
  }
}

/** Removes a stale lock, unless another waiter has already replaced it with a live one. */
function takeOver(file, staleText) {
  const aside = `${file}.stale.${process.pid}`;
  try {
    renameSync(file, aside);
  } catch {
    return; // another waiter moved it first
  }
  if (read(aside) !== staleText) {
    // It was a new, live lock: put it back (unless yet another has been made meanwhile).
    try {
      linkSync(aside, file);
    } catch {}
  }
  rmSync(aside, { force: true });
}

function read(file) {
  try {
    return readFileSync(file, "utf8");
  } catch {
    return undefined;
  }
}

function statSafe(file) {
  try {
    return statSync(file);
  } catch {
    return undefined;
  }
}

function tool(path) {
  const file = join(ROOT, "node_modules", path);
  if (!exists(relative(ROOT, file))) {
    console.error(`${relative(ROOT, file)} is not installed: run \`npm ci\` first.`);
    process.exit(1);
  }
  return file;
}

let child;

/** Runs a Node program in the project's folder, its output on stderr (stdout stays the command's own). */
function run(script, args) {
  return new Promise((resolve) => {
    child = spawn(process.execPath, [script, ...args], { cwd: ROOT, stdio: ["ignore", 2, 2] });
    child.on("error", (error) => {
      console.error(`could not run ${script}: ${error.message}`);
      resolve(1);
    });
    child.on("close", (code, signal) => {
      child = undefined;
      resolve(code ?? (signal ? 1 : 0));
    });
  });
}

process.on("exit", () => {
  for (const release of [...heldLocks]) release();
});
for (const [signal, code] of [["SIGINT", 130], ["SIGTERM", 143], ["SIGHUP", 129]]) {
  process.on(signal, () => {
    child?.kill(signal);
    process.exit(code);
  });
}

let options;
try {
  options = parseArgs({ options: { "if-needed": { type: "boolean" }, help: { type: "boolean", short: "h" } }, allowPositionals: true });
} catch (error) {
  console.error(`${error.message}\n\n${usage}`);
  process.exit(2);
}
if (options.values.help) {
  console.log(usage);
  process.exit(0);
}
const unknown = options.positionals.find((part) => !(part in PARTS));
if (unknown) {
  console.error(`"${unknown}" is not a part: name server, admin or both.\n\n${usage}`);
  process.exit(2);
}
const parts = options.positionals.length > 0 ? [...new Set(options.positionals)] : Object.keys(PARTS);
for (const name of parts) {
  const code = await buildPart(name, { full: !options.values["if-needed"] });
  if (code !== 0) {
    console.error(`The build of ${PARTS[name].title} failed (see above).`);
    process.exit(code);
  }
}
