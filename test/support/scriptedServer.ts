/**
 * A private Kafka or FerretDB instance for the fault suites, started with the project's own
 * scripts (scripts/servers/*.sh) on ports and a data folder of its own, so that pausing or
 * killing it disturbs no other suite. Signals go only to the PID its script recorded.
 */
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { freePort } from "../../shared/runtime/roleProcess.js";

const run = promisify(execFile);

type Kind = "kafka" | "ferretdb";

export class ScriptedServer {
  readonly #dataDir: string;

  private constructor(
    readonly kind: Kind,
    readonly port: number,
    readonly env: Record<string, string>,
  ) {
    this.#dataDir = env[kind === "kafka" ? "KAFKA_DATA_DIR" : "FERRETDB_DATA_DIR"]!;
  }

  /** `advertisedPort`: the port clients are told to use (a TcpProxy in front of the broker). */
  static async kafka(options: { port?: number; advertisedPort?: number } = {}): Promise<ScriptedServer> {
    const [port, controllerPort] = [options.port ?? (await freePort()), await freePort()];
    const dataDir = mkdtempSync(join(tmpdir(), "customers-fault-kafka-"));
    return new ScriptedServer("kafka", port, {
      KAFKA_PORT: String(port),
      KAFKA_ADVERTISED_PORT: String(options.advertisedPort ?? port),
      KAFKA_CONTROLLER_PORT: String(controllerPort),
      KAFKA_DATA_DIR: dataDir,
      KAFKA_HEAP_OPTS: "-Xms128m -Xmx384m",
    });
  }

  static async ferretdb(): Promise<ScriptedServer> {
    const port = await freePort();
    const dataDir = mkdtempSync(join(tmpdir(), "customers-fault-ferretdb-"));
    return new ScriptedServer("ferretdb", port, { FERRETDB_PORT: String(port), FERRETDB_DATA_DIR: dataDir });
  }

  /** What the roles are given: a broker list or a MongoDB URL. */
  get address(): string {
    return this.kind === "kafka" ? `127.0.0.1:${this.port}` : `mongodb://127.0.0.1:${this.port}`;
  }

  /** Starts it (again, on the same data) and waits until it serves requests. */
  async up(): Promise<void> {
    await this.#script("up");
  }

  /** Stops it and deletes its data. */
  async clean(): Promise<void> {
    await this.#script("clean").catch(() => undefined);
    rmSync(this.#dataDir, { recursive: true, force: true });
  }

  get pid(): number {
    const pid = Number(readFileSync(join(this.#dataDir, `${this.kind}.pid`), "utf8").trim());
    if (!Number.isInteger(pid) || pid <= 0) throw new Error(`no PID recorded for the private ${this.kind}`);
    return pid;
  }

  pause(): void {
    process.kill(this.pid, "SIGSTOP");
  }

  resume(): void {
    process.kill(this.pid, "SIGCONT");
  }

  /** SIGKILL, and waits until the process is gone. */
  async kill(): Promise<void> {
    const pid = this.pid;
    process.kill(pid, "SIGKILL");
    while (isAlive(pid)) await new Promise((resolve) => setTimeout(resolve, 50));
  }

  async #script(command: string): Promise<void> {
    try {
      await run(`scripts/servers/${this.kind}.sh`, [command], { env: { ...process.env, ...this.env }, timeout: 180_000 });
    } catch (error) {
      const { stdout, stderr } = error as { stdout?: string; stderr?: string };
      throw new Error(`scripts/servers/${this.kind}.sh ${command} failed:\n${stdout ?? ""}${stderr ?? ""}`);
    }
  }
}

/** Alive and not a zombie waiting for its parent (the script that started it has exited). */
function isAlive(pid: number): boolean {
  try {
    return !/^State:\s+Z/m.test(readFileSync(`/proc/${pid}/status`, "utf8"));
  } catch {
    return false;
  }
}
