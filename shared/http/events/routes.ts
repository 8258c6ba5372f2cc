/**
 * `GET /admin/events`: the published events as Server-Sent Events, for subscribers without
 * Kafka (both modes). Each event is one SSE message: `id` its global position, `data` its
 * envelope (the events topic's message value). A client that reconnects with `Last-Event-ID`
 * (an EventSource does it by itself) gets every event after that one, none twice; `types`
 * filters by type; without a Last-Event-ID the stream starts now, or at the start of the log
 * with `from=beginning`. A comment line every 15 s keeps idle connections open through proxies.
 * Not in the OpenAPI document: a stream that never ends is no request/answer operation.
 */
import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import type { ServerResponse } from "node:http";
import { once } from "node:events";
import { Type } from "typebox";
import type { EventFeed, EventFollower } from "../../application/eventFeed.js";
import { PUBLISHED_EVENTS } from "../../events/catalogue.js";
import { MedusaError } from "../errors.js";

export interface EventRoutesOptions {
  feed: EventFeed;
  /** Milliseconds between keep-alive comments (15 s). */
  keepAliveMs?: number;
}

const KNOWN_TYPES = new Set(PUBLISHED_EVENTS.map((entry) => entry.type));
/** A global position: a row number (SQLite), `<commit>/<prepare>` (KurrentDB) or `<transaction id>/<position>` (PostgreSQL). */
const POSITION = /^\d{1,20}(\/\d{1,20})?$/;
/** How long a client waits before reconnecting when the stream ends (a restart). */
const RETRY_MS = 1_000;

const EventsQuery = Type.Object(
  {
    types: Type.Optional(Type.String({ maxLength: 2_000, description: "Comma-separated event types; every type when absent" })),
    from: Type.Optional(Type.String({ maxLength: 16, description: "Without Last-Event-ID: `now` (default) or `beginning`" })),
    last_event_id: Type.Optional(Type.String({ maxLength: 64, description: "As the Last-Event-ID header, for clients that cannot set it" })),
  },
  { additionalProperties: false },
);

function parseTypes(list: string | undefined): Set<string> | undefined {
  if (list === undefined) return undefined;
  const types = new Set(list.split(",").map((type) => type.trim()).filter(Boolean));
  const unknown = [...types].filter((type) => !KNOWN_TYPES.has(type));
  if (unknown.length > 0) throw new MedusaError("invalid_data", `Unknown event type(s): ${unknown.join(", ")}. The types are: ${[...KNOWN_TYPES].join(", ")}`);
  return types.size > 0 ? types : undefined;
}

function parseFrom(from: string | undefined): "now" | "beginning" {
  if (from === undefined || from === "now" || from === "beginning") return from ?? "now";
  throw new MedusaError("invalid_data", `from must be "now" or "beginning", not "${from}"`);
}

function parsePosition(value: string | undefined): string | undefined {
  if (value === undefined || value === "") return undefined;
  if (!POSITION.test(value)) throw new MedusaError("invalid_data", `Last-Event-ID must be the id of an event of this stream (a position such as 42 or 1234/1234), not "${value.slice(0, 64)}"`);
  return value;
}

/** Writes, and waits while the client's socket buffer is full, so a slow reader slows its own stream only. */
async function write(raw: ServerResponse, text: string): Promise<void> {
  if (!raw.write(text)) await Promise.race([once(raw, "drain"), once(raw, "close")]);
}

export const eventRoutes: FastifyPluginAsyncTypebox<EventRoutesOptions> = async (app, { feed, keepAliveMs = 15_000 }) => {
  const open = new Set<{ follower: EventFollower; raw: ServerResponse }>();
  // Streams never end by themselves: end them when the server closes, so it can.
  app.addHook("preClose", async () => {
    for (const stream of open) {
      await stream.follower.close();
      stream.raw.end();
    }
  });

  app.get("/admin/events", { schema: { hide: true, querystring: EventsQuery } }, async (request, reply) => {
    const header = request.headers["last-event-id"];
    const after = parsePosition(request.query.last_event_id ?? (typeof header === "string" ? header : undefined));
    const types = parseTypes(request.query.types);
    const follower = await feed.follow({ ...(after !== undefined && { after }), from: parseFrom(request.query.from), ...(types && { types }) });

    reply.hijack();
    const raw = reply.raw;
    raw.writeHead(200, {
      ...(reply.getHeaders() as Record<string, string>),
      "content-type": "text/event-stream; charset=utf-8",
      "cache-control": "no-cache, no-transform",
      connection: "keep-alive",
      // Proxies such as nginx would otherwise hold events back in their buffer.
      "x-accel-buffering": "no",
    });
    const stream = { follower, raw };
    open.add(stream);
    const keepAlive = setInterval(() => raw.write(": keep-alive\n\n"), keepAliveMs);
    raw.on("close", () => void follower.close());
    try {
      await write(raw, `retry: ${RETRY_MS}\n\n`);
      for await (const envelope of follower) {
        if (raw.destroyed) break;
        await write(raw, `id: ${envelope.position}\ndata: ${JSON.stringify(envelope)}\n\n`);
      }
    } catch (error) {
      request.log.warn({ err: error }, "an event stream ended on an error; the client reconnects with its Last-Event-ID");
    } finally {
      clearInterval(keepAlive);
      open.delete(stream);
      await follower.close();
      raw.end();
    }
  });
};
