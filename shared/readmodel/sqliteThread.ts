/**
 * The read model's threads (sqliteReaderWorker.ts, sqliteWriterWorker.ts), each with its own
 * connection to the read model's file: their errors come back as the errors the read model's
 * callers know (an invalid pattern, a revision gap), and a thread that stops fails what it had
 * not answered as unavailable.
 */
import type { MessagePort } from "node:worker_threads";
import { RequestThread, type ThreadError, serveRequests, workerModule } from "../threads/requestThread.js";
import { InvalidPattern } from "./pattern.js";
import { ReadModelRevisionGap, ReadModelUnavailable } from "./port.js";

/** A read-model worker module beside this one. */
export function readModelWorker(name: string): URL {
  return workerModule(import.meta.url, name);
}

/** In a read-model worker: answers each request, a revision gap with the ids that tell it. */
export function serveReadModelRequests(port: MessagePort, handle: (body: never) => unknown): void {
  serveRequests(port, handle, (error) => (error instanceof ReadModelRevisionGap ? { id: error.id, stored: error.stored, incoming: error.incoming } : undefined));
}

function fromReply({ name, message, details }: ThreadError): Error {
  if (name === "InvalidPattern") return new InvalidPattern(message);
  if (name === "ReadModelRevisionGap") {
    const gap = details as { id: string; stored: number | null; incoming: number };
    return new ReadModelRevisionGap(gap.id, gap.stored, gap.incoming);
  }
  return Object.assign(new Error(message), { name });
}

/** A read-model thread on `filename`; `onGone` when it stops on its own. */
export function startReadModelThread(module: URL, filename: string, onGone: (thread: RequestThread) => void): RequestThread {
  return new RequestThread(module, {
    workerData: { filename },
    fromReply,
    unavailable: (cause) =>
      new ReadModelUnavailable(new Error(cause === "closed" ? "the read model is closed" : `a read-model thread stopped (${cause})`)),
    onGone,
  });
}
