/**
 * One role of a local cluster as a child process: its output goes to the terminal line by
 * line with its name in front and whole to DATA_DIR/logs/<name>.log; it is watched for an
 * exit nobody asked for, waited on until healthy, and stopped by PID (SIGTERM, then SIGKILL).
 * Unlike shared/runtime/roleProcess.ts (which keeps the output for a test to read), it
 * streams the output as it comes.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { type WriteStream, createWriteStream } from "node:fs";
import { join } from "node:path";
import { LastLines, type Prefixer, linePrefixer } from "./logLines.js";
import type { RolePlan } from "./plan.js";

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export class SupervisedRole {
  readonly last = new LastLines(20);
  readonly exited: Promise<Exit>;
  #child: ChildProcess;
  #log: WriteStream;
  #stopping = false;

  constructor(
    readonly plan: RolePlan,
    prefix: string,
    logDir: string,
    write: (lines: string[]) => void,
  ) {
    this.#log = createWriteStream(join(logDir, `${plan.name}.log`), { flags: "a" });
    // Its own process group: a Ctrl-C in the terminal reaches only `npm run cluster`, which
    // then stops the roles in order.
    this.#child = spawn(process.execPath, ["--enable-source-maps", `dist/services/${plan.role}/main.js`], {
      env: plan.env,
      stdio: ["ignore", "pipe", "pipe"],
      detached: true,
    });
    const lines: Prefixer[] = [];
    for (const stream of [this.#child.stdout!, this.#child.stderr!]) {
      const prefixer = linePrefixer(prefix);
      lines.push(prefixer);
      stream.setEncoding("utf8");
      stream.on("data", (chunk: string) => {
        this.#log.write(chunk);
        const complete = prefixer.push(chunk);
        this.last.add(complete);
        write(complete);
      });
    }
    this.exited = new Promise((resolve) => {
      this.#child.once("error", () => resolve({ code: null, signal: null }));
      // "close": the output is read to its end, so the last lines are there to show.
      this.#child.once("close", (code, signal) => {
        for (const prefixer of lines) {
          const rest = prefixer.end();
          this.last.add(rest);
          write(rest);
        }
        this.#log.end();
        resolve({ code, signal });
      });
    });
  }

  get pid(): number | undefined {
    return this.#child.pid;
  }

  get running(): boolean {
    return this.#child.exitCode === null && this.#child.signalCode === null;
  }

  /** True once stop() was called: its exit is then expected. */
  get stopping(): boolean {
    return this.#stopping;
  }

  /** Resolves once GET /health answers 200; rejects when the process exits or the time is up. */
  async healthy(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let exited = false;
    void this.exited.then(() => (exited = true));
    while (!exited) {
      try {
        if ((await fetch(this.plan.healthUrl, { signal: AbortSignal.timeout(2000) })).ok) return;
      } catch {
        // not listening yet
      }
      if (Date.now() > deadline) throw new Error(`${this.plan.name} did not answer ${this.plan.healthUrl} with 200 within ${timeoutMs / 1000} s`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    throw new Error(`${this.plan.name} exited while starting`);
  }

  /** SIGTERM, then SIGKILL after `graceMs`; resolves once the process is gone. */
  async stop(graceMs: number): Promise<Exit> {
    this.#stopping = true;
    if (this.running) this.#signal("SIGTERM");
    const timer = setTimeout(() => this.kill(), graceMs);
    try {
      return await this.exited;
    } finally {
      clearTimeout(timer);
    }
  }

  kill(): void {
    this.#stopping = true;
    if (this.running) this.#signal("SIGKILL");
  }

  #signal(signal: NodeJS.Signals): void {
    try {
      this.#child.kill(signal);
    } catch {
      // gone in between
    }
  }
}
