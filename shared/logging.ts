/**
 * The process logger (pino, which Fastify uses too). Request logs carry the method, the
 * path and the request id, never the query string or body, which can hold personal data
 * (emails, names, phones).
 */
import { pino } from "pino";

export function createLogger(level: string) {
  return pino({
    level,
    serializers: {
      req: (request: { method: string; url: string; id: string }) => ({
        id: request.id,
        method: request.method,
        path: request.url.split("?")[0],
      }),
      err: pino.stdSerializers.err,
    },
  });
}

export type ProcessLogger = ReturnType<typeof createLogger>;
