/**
 * `npm run rebuild`: asks a running service to rebuild its read model from the event store
 * without downtime (POST /admin/projections/rebuild), then follows the rebuild
 * (GET /admin/projections) on a progress bar until the new generation serves.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { newUserId, signAdminToken } from "../../shared/auth/adminToken.js";
import type { ProjectionView } from "../../shared/readmodel/projections.js";
import type { RebuildView } from "../../shared/readmodel/rebuildProgress.js";
import { exitWithUsage, loadCliSettings, parseCommandLine } from "../../shared/runtime/cli.js";
import { duration, progressLine } from "../../shared/runtime/progressLine.js";

const usage = `Usage: npm run rebuild -- [--url URL] [--status]

Rebuilds the read model of a running service from its event store, without downtime:
the service builds a new generation of the read model beside the one serving, shows
how far it has come, switches its readers to it once it has caught up, and removes
the old one. Requests go on being answered throughout. Progress is drawn on a bar
(one line every few seconds when the output is not a terminal).

  --url URL   the service's address (default: http://127.0.0.1:PORT, PORT from the
              environment or 9000)
  --status    show the read model's projection and any rebuild, start nothing
  -h, --help  show this text

The request is signed with JWT_SECRET, as \`npm run token\` signs: run it with the
service's settings. A rebuild already running is followed rather than started again.

Examples:
  npm run rebuild
  npm run rebuild -- --url http://127.0.0.1:9000 --status

Exit codes: 0 rebuilt (or --status shown), 1 the rebuild failed, 2 wrong options,
69 the service cannot be reached or refused, 78 wrong settings.`;

const values = parseCommandLine({ url: { type: "string" }, status: { type: "boolean" } }, usage);
const settings = loadCliSettings();
const host = settings.host === "0.0.0.0" || settings.host === "::" ? "127.0.0.1" : settings.host;
const baseUrl = (values.url ?? `http://${host}:${settings.port}`).replace(/\/+$/, "");
if (!/^https?:\/\//.test(baseUrl)) exitWithUsage("--url must start with http:// or https://", usage);
const token = signAdminToken({ secret: settings.jwtSecret, actorId: newUserId(), now: new Date(), expiresInSeconds: 3600 });

async function call(method: string, path: string): Promise<{ status: number; body: any }> {
  let response: Response;
  try {
    response = await fetch(`${baseUrl}${path}`, { method, headers: { authorization: `Bearer ${token}` } });
  } catch (error) {
    console.error(`No service answers at ${baseUrl} (${(error as Error & { cause?: Error }).cause?.message ?? (error as Error).message}). Start it with \`npm start\`, or give its address with --url.`);
    process.exit(69);
  }
  const body = (await response.json().catch(() => ({}))) as any;
  if (response.status === 401) {
    console.error(`The service at ${baseUrl} refused the token: run this with the service's JWT_SECRET.`);
    process.exit(69);
  }
  if (response.status === 404 && path.startsWith("/admin/projections")) {
    console.error(`The service at ${baseUrl} has no /admin/projections routes: is it this service, in a version that rebuilds its read model?`);
    process.exit(69);
  }
  return { status: response.status, body };
}

const describe = (projection: ProjectionView) =>
  `read model "${projection.id}": generation ${projection.generation} serves, at position ${projection.position ?? "none"} of ${projection.head_position ?? "none"}`;

const figures = (rebuild: RebuildView) =>
  progressLine({
    fraction: rebuild.progress,
    done: rebuild.events,
    unit: rebuild.events === 1 ? "event" : "events",
    perSecond: rebuild.events_per_second,
    etaSeconds: rebuild.eta_seconds,
    detail: `position ${rebuild.position ?? 0} of ${rebuild.head_position ?? 0}${rebuild.state === "switching" ? ", switching readers" : ""}`,
  });

if (values.status) {
  const { status, body } = await call("GET", "/admin/projections");
  if (status !== 200) {
    console.error(`The service answered ${status}: ${body.message ?? JSON.stringify(body)}`);
    process.exit(69);
  }
  for (const projection of body.projections as ProjectionView[]) {
    console.log(describe(projection));
    if (projection.rebuild) console.log(`last rebuild: generation ${projection.rebuild.generation}, ${projection.rebuild.state}; ${figures(projection.rebuild)}`);
  }
  process.exit(0);
}

const started = await call("POST", "/admin/projections/rebuild");
let generation: number;
if (started.status === 202) {
  generation = (started.body.projection as ProjectionView).rebuild!.generation;
  console.error(`Rebuilding the read model into generation ${generation}; the service goes on answering meanwhile.`);
} else if (started.status === 409) {
  const { body } = await call("GET", "/admin/projections");
  generation = (body.projections as ProjectionView[])[0]!.rebuild!.generation;
  console.error(`A rebuild is already running (generation ${generation}); following it.`);
} else {
  console.error(`The service answered ${started.status}: ${started.body.message ?? JSON.stringify(started.body)}`);
  process.exit(69);
}

const terminal = process.stderr.isTTY;
let lastLine = 0;
for (;;) {
  const { status, body } = await call("GET", "/admin/projections");
  const projection = status === 200 ? (body.projections as ProjectionView[])[0] : undefined;
  const rebuild = projection?.rebuild;
  if (!projection || !rebuild || rebuild.generation !== generation) {
    console.error(`\nThe service no longer reports this rebuild (answer ${status}); it may have restarted. Run it again.`);
    process.exit(1);
  }
  if (terminal) process.stderr.write(`\r${figures(rebuild)}\u001b[K`);
  else if (Date.now() - lastLine >= 2000 || rebuild.state === "done" || rebuild.state === "failed") {
    console.error(figures(rebuild));
    lastLine = Date.now();
  }
  if (rebuild.state === "done") {
    const seconds = (Date.parse(rebuild.finished_at!) - Date.parse(rebuild.started_at)) / 1000;
    if (terminal) process.stderr.write("\n");
    console.log(`Rebuilt: generation ${generation} serves (${rebuild.events.toLocaleString("en")} ${rebuild.events === 1 ? "event" : "events"} in ${duration(seconds)}); the old generation is removed.`);
    process.exit(0);
  }
  if (rebuild.state === "failed") {
    if (terminal) process.stderr.write("\n");
    console.error(`The rebuild failed: ${rebuild.error}. Generation ${projection.generation} goes on serving; see the service's log.`);
    process.exit(1);
  }
  await sleep(terminal ? 250 : 500);
}
