/**
 * The servers a local cluster needs, through the project's own scripts (scripts/servers/):
 * one already running is used and left alone; one started here is stopped here.
 */
import { spawn } from "node:child_process";
import { connect } from "node:net";
import { linePrefixer } from "./logLines.js";

export type ServerName = "kafka" | "ferretdb" | "postgres";

export interface LocalServer {
  name: ServerName;
  port: number;
  /** True when this run started it (and so stops it). */
  startedHere: boolean;
}

/** The ports the scripts listen on, from the variables they read. */
export function serverPort(name: ServerName, env: Record<string, string | undefined>): number {
  const [variable, fallback] = ({ kafka: ["KAFKA_PORT", 9092], ferretdb: ["FERRETDB_PORT", 27017], postgres: ["POSTGRES_PORT", 55432] } as const)[name];
  return Number(env[variable] || fallback);
}

/**
 * Starts the server unless it runs: `status` knows the ones the script started; a port that
 * answers is a server started some other way, used as it is.
 */
export async function ensureServer(name: ServerName, env: Record<string, string | undefined>, write: (line: string) => void): Promise<LocalServer> {
  const port = serverPort(name, env);
  if ((await runScript(name, "status", write, { quiet: true })) === 0 || (await listening(port))) {
    write(`[${name}] running already on 127.0.0.1:${port}; used as it is and left running`);
    return { name, port, startedHere: false };
  }
  const code = await runScript(name, "up", write);
  if (code !== 0) throw new Error(`scripts/servers/${name}.sh up failed (exit ${code}); its output is above`);
  return { name, port, startedHere: true };
}

export async function stopServer(server: LocalServer, write: (line: string) => void): Promise<void> {
  await runScript(server.name, "stop", write);
}

/** Runs a server script in its own process group (a Ctrl-C here must not reach the server it starts). */
function runScript(name: ServerName, command: string, write: (line: string) => void, { quiet = false } = {}): Promise<number | null> {
  return new Promise((resolve) => {
    const child = spawn("bash", [`scripts/servers/${name}.sh`, command], { stdio: ["ignore", "pipe", "pipe"], detached: true });
    // Shown as it comes: starting Kafka for the first time resolves its jars for a while.
    const lines = linePrefixer("");
    const show = (chunk: Buffer) => {
      if (!quiet) for (const line of lines.push(chunk.toString())) write(line);
    };
    child.stdout.on("data", show);
    child.stderr.on("data", show);
    child.once("error", () => resolve(null));
    child.once("close", (code) => {
      if (!quiet) for (const line of lines.end()) write(line);
      resolve(code);
    });
  });
}

function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: "127.0.0.1", port });
    socket.setTimeout(1000);
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("timeout", () => {
      socket.destroy();
      resolve(false);
    });
    socket.once("error", () => resolve(false));
  });
}
