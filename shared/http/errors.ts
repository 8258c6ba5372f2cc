/**
 * Medusa's error bodies and statuses, in one place. Everything a route throws ends here:
 * MedusaError values keep their type and message; domain errors are translated; anything
 * else is a 500 with Medusa's generic body (and is logged).
 */
import type { FastifyError, FastifyReply, FastifyRequest } from "fastify";
import {
  ConcurrentWriteConflict,
  RelatedEntityNotFound,
  CustomerAlreadyExists,
  CustomerNotFound,
  EmailAlreadyTaken,
  LimitExceeded,
} from "../customers/errors.js";
import { EventStoreUnavailable } from "../eventstore/port.js";
import { ReadModelUnavailable } from "../readmodel/port.js";
import { SessionStoreUnavailable } from "../sessions/port.js";
import { CustomerGroupAlreadyExists, CustomerGroupNotFound } from "../customerGroups/group.js";
import { CustomerGroupNameTaken } from "../customerGroups/nameReservation.js";
import { AuthIdentityNotFound, AuthenticationFailed } from "../auth/errors.js";
import { TooManyLoginAttempts } from "../auth/loginThrottle.js";

export type MedusaErrorType =
  | "invalid_data"
  | "invalid_argument"
  | "not_found"
  | "not_allowed"
  | "unauthorized"
  | "forbidden"
  | "conflict"
  | "duplicate_error"
  | "unexpected_state"
  | "unknown_error";

export class MedusaError extends Error {
  constructor(
    readonly type: MedusaErrorType,
    message: string,
  ) {
    super(message);
  }
}

const STATUS_BY_TYPE: Record<MedusaErrorType, number> = {
  invalid_data: 400,
  not_allowed: 400,
  invalid_argument: 400,
  not_found: 404,
  unauthorized: 401,
  forbidden: 403,
  conflict: 409,
  duplicate_error: 422,
  unexpected_state: 500,
  unknown_error: 500,
};

export interface ErrorResponse {
  status: number;
  body: Record<string, string>;
  headers?: Record<string, string>;
}

const UNKNOWN: ErrorResponse = {
  status: 500,
  body: { code: "unknown_error", type: "unknown_error", message: "An unknown error occurred." },
};

/** Express/body-parser style errors: `{message, type}` with the type derived from the status. */
export function httpLevelError(status: number, message: string): ErrorResponse {
  // 415 is this service's own (Medusa ignores bodies it cannot read); it is the client's data.
  const typeByStatus: Record<number, string> = {
    400: "invalid_data",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    409: "conflict",
    415: "invalid_data",
  };
  return { status, body: { message: status < 500 ? message : "An unknown error occurred.", type: typeByStatus[status] ?? "unknown_error" } };
}

export function toErrorResponse(error: unknown): ErrorResponse {
  if (error instanceof MedusaError) {
    return { status: STATUS_BY_TYPE[error.type], body: { type: error.type, message: error.message } };
  }
  if (error instanceof EmailAlreadyTaken || error instanceof CustomerAlreadyExists || error instanceof CustomerGroupNameTaken || error instanceof CustomerGroupAlreadyExists) {
    return { status: 400, body: { type: "invalid_data", message: error.message } };
  }
  if (error instanceof AuthenticationFailed) return { status: 401, body: { type: "unauthorized", message: error.message } };
  if (error instanceof AuthIdentityNotFound) return { status: 404, body: { type: "not_found", message: error.message } };
  if (error instanceof TooManyLoginAttempts) {
    return {
      status: 429,
      body: { type: "not_allowed", message: error.message },
      headers: { "retry-after": String(Math.max(1, Math.ceil(error.retryAfterMs / 1000))) },
    };
  }
  if (error instanceof LimitExceeded) return { status: 400, body: { type: "invalid_data", message: `Invalid request: ${error.message}` } };
  if (error instanceof RelatedEntityNotFound) return { status: 404, body: { type: "not_found", message: error.message } };
  if (error instanceof CustomerNotFound || error instanceof CustomerGroupNotFound) return { status: 404, body: { type: "not_found", message: error.message } };
  if (error instanceof ConcurrentWriteConflict) {
    return {
      status: 409,
      body: {
        code: "invalid_state_error",
        type: "conflict",
        message: "The request conflicted with another request. You may retry the request with the provided Idempotency-Key.",
      },
    };
  }
  if (error instanceof EventStoreUnavailable) {
    return {
      status: 503,
      body: { type: "unexpected_state", message: "The event store is unavailable. The request changed nothing; retry it later." },
      headers: { "retry-after": "1" },
    };
  }
  if (error instanceof SessionStoreUnavailable) {
    return {
      status: 503,
      body: { type: "unexpected_state", message: "Sessions cannot be checked right now. Retry the request later, or authenticate with a token." },
      headers: { "retry-after": "1" },
    };
  }
  if (error instanceof ReadModelUnavailable) {
    return {
      status: 503,
      body: { type: "unexpected_state", message: "The customer data cannot be read right now. Retry the request later." },
      headers: { "retry-after": "1" },
    };
  }
  const fastifyError = error as Partial<FastifyError>;
  if (fastifyError.code === "FST_ERR_CTP_BODY_TOO_LARGE") return httpLevelError(413, "request entity too large");
  if (typeof fastifyError.statusCode === "number" && fastifyError.statusCode >= 400 && fastifyError.statusCode < 500) {
    return httpLevelError(fastifyError.statusCode, fastifyError.message ?? "Bad request");
  }
  return UNKNOWN;
}

export function medusaErrorHandler(error: unknown, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const response = toErrorResponse(error);
  if (response.status >= 500) request.log.error({ err: error }, "request failed");
  if (response.headers) reply.headers(response.headers);
  return reply.status(response.status).send(response.body);
}
