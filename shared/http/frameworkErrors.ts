/**
 * Errors raised before a request reaches a route, in Medusa's shape and without echoing
 * input of unbounded length: a URL the router cannot decode or whose parameter is too long
 * (Fastify's frameworkErrors), an unknown route, and bytes that are not HTTP at all (Node's
 * clientError: an unknown method, headers over the limit), which Fastify would answer with
 * its own body.
 */
import type { FastifyError, FastifyReply, FastifyRequest } from "fastify";
import type { Socket } from "node:net";
import { STATUS_CODES } from "node:http";
import { MedusaError, medusaErrorHandler } from "./errors.js";

/** Longest path parameter the router takes: every id here is far shorter. */
export const MAX_PARAM_LENGTH = 500;

/** Longest part of a path echoed in a not-found message (Medusa's "Cannot GET /..."). */
const MAX_ECHOED_PATH = 256;

export function onFrameworkError(error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  if (error.code === "FST_ERR_BAD_URL") {
    medusaErrorHandler(new MedusaError("invalid_data", "The request URL is not valid: it has a malformed %-escape"), request, reply);
    return;
  }
  if (error.code === "FST_ERR_MAX_PARAM_LENGTH") {
    void reply.code(414).send({ type: "invalid_data", message: `A path parameter is longer than ${MAX_PARAM_LENGTH} characters` });
    return;
  }
  medusaErrorHandler(error, request, reply);
}

export function onRouteNotFound(request: FastifyRequest, reply: FastifyReply): void {
  const path = request.url.split("?")[0]!;
  const shown = path.length > MAX_ECHOED_PATH ? `${path.slice(0, MAX_ECHOED_PATH)}…` : path;
  void reply.code(404).send({ type: "not_found", message: `Cannot ${request.method} ${shown}` });
}

/** Node could not parse the request; the connection is closed after the answer, as Node does. */
export function onClientError(error: NodeJS.ErrnoException, socket: Socket): void {
  if (error.code === "ECONNRESET" || socket.destroyed) return;
  const [status, message] =
    error.code === "HPE_HEADER_OVERFLOW"
      ? [431, "The request's headers are larger than the server accepts"]
      : error.code === "ERR_HTTP_REQUEST_TIMEOUT"
        ? [408, "The request was not received in time"]
        : error.code === "HPE_INVALID_METHOD"
          ? [400, "The request's method is not an HTTP method this server knows"]
          : [400, "The request is not valid HTTP"];
  const body = JSON.stringify({ type: status === 408 ? "unexpected_state" : "invalid_data", message });
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy(error);
}
