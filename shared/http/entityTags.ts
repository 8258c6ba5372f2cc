/**
 * Entity tags (RFC 9110) on every `/admin` answer that shows something, and the conditional
 * requests they make possible:
 *
 * - the answer of one customer, address or group (a GET, or a write answering with it) has a
 *   strong ETag made of its stream's revision and a digest of the body, `"4-Gq0dT2bXw1sK3mYc"`:
 *   the digest tells apart the answers of one revision (`fields`, other entities it expands);
 *   the revision is what If-Match on a write names (see ifMatchRevisions);
 * - any other GET answer (lists, history) has a weak ETag, a digest of the body;
 * - a GET whose If-None-Match holds the answer's tag (or `*`) answers 304 without a body.
 */
import { createHash } from "node:crypto";
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from "fastify";
import fp from "fastify-plugin";
import { MedusaError } from "./errors.js";

declare module "fastify" {
  interface FastifyReply {
    /** The stream revision of the one entity this answer shows; unset for anything else. */
    entityRevision: number | undefined;
  }
  interface FastifyContextConfig {
    /** The route writes one entity's stream, so If-Match can make it conditional. */
    conditionalWrite?: boolean;
  }
}

/** Every entity tag in a header: `"..."` or `W/"..."`, comma-separated. */
const ENTITY_TAG = /(W\/)?"([^"]*)"/g;

function tagsOf(header: string): Array<{ weak: boolean; opaque: string }> {
  return [...header.matchAll(ENTITY_TAG)].map((match) => ({ weak: match[1] !== undefined, opaque: match[2]! }));
}

/** If-None-Match compares weakly: `W/` is ignored on either side. */
function noneMatch(header: string | undefined, tag: string): boolean {
  if (header === undefined) return false;
  if (header.trim() === "*") return true;
  const [answer] = tagsOf(tag);
  return tagsOf(header).some((given) => given.opaque === answer!.opaque);
}

function digest(body: string): string {
  return createHash("sha1").update(body).digest("base64url").slice(0, 16);
}

async function tagAnswer(request: FastifyRequest, reply: FastifyReply, payload: unknown): Promise<unknown> {
  if (reply.statusCode !== 200 || typeof payload !== "string") return payload;
  const revision = reply.entityRevision;
  const read = request.method === "GET" || request.method === "HEAD";
  if (revision === undefined && !read) return payload;
  const tag = revision === undefined ? `W/"${digest(payload)}"` : `"${revision}-${digest(payload)}"`;
  reply.header("etag", tag);
  if (read && noneMatch(request.headers["if-none-match"], tag)) {
    reply.code(304);
    reply.removeHeader("content-type");
    return null;
  }
  return payload;
}

const entityTags: FastifyPluginAsync = async (app) => {
  app.decorateReply("entityRevision", undefined);
  app.addHook("onSend", tagAnswer);
};

export default fp(entityTags, { name: "entity-tags" });

/** A strong tag of this service's: the revision, then anything (`"4-..."`, or `"4"` alone). */
const REVISION_TAG = /^(\d{1,15})(-.*)?$/;

/**
 * The revisions If-Match names, for a write decided only on one of them (commandHandler.ts):
 * undefined without the header or with `*` (any revision of something that exists, which the
 * command checks anyway). Weak tags and tags that are not this service's name none, so a
 * header of only those answers 412. A route that cannot be conditional refuses the header
 * rather than ignore it: the client counts on it.
 */
export function ifMatchRevisions(request: FastifyRequest): number[] | undefined {
  const header = request.headers["if-match"];
  if (header === undefined) return undefined;
  if (!request.routeOptions.config.conditionalWrite) {
    throw new MedusaError("invalid_data", "If-Match is not supported here: only a write of one customer, address or group can be made conditional");
  }
  if (header.trim() === "*") return undefined;
  return tagsOf(header).flatMap(({ weak, opaque }) => {
    const revision = weak ? null : REVISION_TAG.exec(opaque);
    return revision ? [Number(revision[1])] : [];
  });
}
