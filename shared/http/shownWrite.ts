/**
 * How a route answers a write: with the document the read model shows for it (see
 * shared/readmodel/readYourWrites.ts), and a header saying so when the read model was behind
 * and the answer was folded from the write's own events. The answer's ETag is of the revision shown.
 */
import type { FastifyReply } from "fastify";
import type { CustomerDocument } from "../readmodel/customerDocument.js";
import type { CustomerGroupDocument } from "../readmodel/customerGroupDocument.js";
import type { ReadYourWrites, Shown, WrittenRevision } from "../readmodel/readYourWrites.js";

/** Header set when a write is answered from its own events because the read model was behind. */
export const READ_MODEL_HEADER = "x-read-model";

export async function shownCustomer(readYourWrites: ReadYourWrites, written: WrittenRevision, reply: FastifyReply): Promise<CustomerDocument> {
  return marked(await readYourWrites.customer(written), reply);
}

export async function shownGroup(readYourWrites: ReadYourWrites, written: WrittenRevision, reply: FastifyReply): Promise<CustomerGroupDocument> {
  return marked(await readYourWrites.group(written), reply);
}

function marked<Document extends { revision: number }>(shown: Shown<Document>, reply: FastifyReply): Document {
  if (shown.source === "events") reply.header(READ_MODEL_HEADER, "behind");
  reply.entityRevision = shown.document.revision;
  return shown.document;
}
