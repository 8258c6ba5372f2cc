/**
 * Starts the service the way `npm start` does (embedded mode, real HTTP on 127.0.0.1 with a
 * free port) on a data directory of the test's, and offers a small HTTP client for it.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { signAdminToken } from "../../shared/auth/adminToken.js";
import { loadSettings } from "../../shared/config.js";
import { type RunningService, startEmbedded } from "../../shared/runtime/embedded.js";

export const TEST_SECRET = "test-secret-for-the-api-suite";
export const ADMIN_ID = "user_01TESTADMIN0000000000000";

export interface TestService {
  baseUrl: string;
  dataDir: string;
  service: RunningService;
  token: string;
  request(method: string, path: string, options?: RequestOptions): Promise<TestResponse>;
  stop(): Promise<void>;
}

export interface RequestOptions {
  body?: unknown;
  /** Sent as is (no JSON encoding) when given. */
  rawBody?: string;
  headers?: Record<string, string>;
  /** false: no Authorization header at all. */
  token?: string | false;
}

export interface TestResponse {
  status: number;
  headers: Headers;
  text: string;
  json: any;
}

export function makeDataDir(): { dir: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), "customers-api-"));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

export async function startTestService(options: { dataDir?: string; env?: Record<string, string>; clock?: () => Date } = {}): Promise<TestService> {
  const data = options.dataDir ? undefined : makeDataDir();
  const dataDir = options.dataDir ?? data!.dir;
  const settings = loadSettings({
    NODE_ENV: "test",
    PORT: "0",
    HOST: "127.0.0.1",
    JWT_SECRET: TEST_SECRET,
    DATA_DIR: dataDir,
    ...options.env,
  });
  const service = await startEmbedded(settings, undefined, options.clock ? { clock: options.clock } : {});
  const address = service.app.server.address();
  if (!address || typeof address === "string") throw new Error("no TCP address");
  const baseUrl = `http://127.0.0.1:${address.port}`;
  const token = signAdminToken({ secret: TEST_SECRET, actorId: ADMIN_ID, now: new Date(), expiresInSeconds: 3600 });

  async function request(method: string, path: string, opts: RequestOptions = {}): Promise<TestResponse> {
    const headers: Record<string, string> = { ...opts.headers };
    const auth = opts.token === undefined ? token : opts.token;
    if (auth !== false) headers.authorization ??= `Bearer ${auth}`;
    let body: string | undefined = opts.rawBody;
    if (body === undefined && opts.body !== undefined) {
      body = JSON.stringify(opts.body);
      headers["content-type"] ??= "application/json";
    }
    const response = await fetch(`${baseUrl}${path}`, { method, headers, body });
    const text = await response.text();
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    return { status: response.status, headers: response.headers, text, json };
  }

  return {
    baseUrl,
    dataDir,
    service,
    token,
    request,
    async stop() {
      await service.stop();
      data?.remove();
    },
  };
}
