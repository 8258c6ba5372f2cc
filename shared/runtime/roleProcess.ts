/**
 * Runs the service's roles as real child processes from the build (dist/), the way they
 * run in production, and stops them by PID.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { appendFileSync } from "node:fs";
import { join } from "node:path";
import { createServer } from "node:net";

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => resolve(typeof address === "object" && address ? address.port : 0));
    });
  });
}

export class RoleProcess {
  #child: ChildProcess | undefined;
  #output: string[] = [];

  /** `script`: another program of the build to run under this name (the benchmark's yardstick). */
  constructor(
    readonly role: "command" | "publisher" | "projector" | "group-counts" | "http-layer-alone",
    readonly env: Record<string, string>,
    readonly healthUrl: string,
    readonly script = `dist/services/${role}/main.js`,
  ) {}

  /** Resolves once the role answers its health URL; `timeoutMs` bounds the wait (a long catch-up at start needs more). */
  async start(timeoutMs = 60_000): Promise<void> {
    const child = spawn(process.execPath, ["--enable-source-maps", this.script], {
      env: { ...process.env, ...this.env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    this.#child = child;
    // ROLE_LOG_DIR: keep every role's whole output there too, to study a run afterwards.
    const logFile = process.env.ROLE_LOG_DIR ? join(process.env.ROLE_LOG_DIR, `${this.role}-${child.pid}.log`) : undefined;
    const keep = (chunk: Buffer) => {
      if (logFile) appendFileSync(logFile, chunk);
      this.#output.push(chunk.toString());
      if (this.#output.length > 400) this.#output.splice(0, 100);
    };
    child.stdout!.on("data", keep);
    child.stderr!.on("data", keep);
    try {
      await this.#waitHealthy(timeoutMs);
    } catch (error) {
      // Never left running behind the caller's back.
      if (child.exitCode === null) child.kill("SIGKILL");
      throw error;
    }
  }

  async #waitHealthy(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (this.#child?.exitCode !== null) throw new Error(`${this.role} exited (${this.#child?.exitCode}):\n${this.output()}`);
      try {
        if ((await fetch(this.healthUrl)).ok) return;
      } catch {
        // not listening yet
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`${this.role} did not become healthy:\n${this.output()}`);
  }

  get pid(): number | undefined {
    return this.#child?.pid;
  }

  output(): string {
    return this.#output.join("");
  }

  /** Sends a signal and waits for the process to exit. */
  async kill(signal: NodeJS.Signals = "SIGTERM"): Promise<number | null> {
    const child = this.#child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return child?.exitCode ?? null;
    const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
    child.kill(signal);
    return exited;
  }
}
