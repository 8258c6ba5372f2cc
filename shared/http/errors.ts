/**
 * Medusa's error bodies and statuses, in one place. Everything a route throws ends here:
 * MedusaError values keep their type and message; domain errors are translated; anything
 * else is a 500 with Medusa's generic body (and is logged).
 */
import type { FastifyError, FastifyReply, FastifyRequest } from "fastify";
import { Failure, type FailureKind } from "../errors.js";

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
  if (error instanceof Failure) return failureResponse(error);
  const fastifyError = error as Partial<FastifyError>;
  if (fastifyError.code === "FST_ERR_CTP_BODY_TOO_LARGE") return httpLevelError(413, "request entity too large");
  if (typeof fastifyError.statusCode === "number" && fastifyError.statusCode >= 400 && fastifyError.statusCode < 500) {
    return httpLevelError(fastifyError.statusCode, fastifyError.message ?? "Bad request");
  }
  return UNKNOWN;
}

/** Each kind of expected failure, as Medusa answers it. */
const ANSWER_BY_KIND: Record<FailureKind, { status: number; type: MedusaErrorType }> = {
  not_found: { status: 404, type: "not_found" },
  // Medusa answers a unique value already held with 400, not 409 or 422.
  taken: { status: 400, type: "invalid_data" },
  invalid: { status: 400, type: "invalid_data" },
  unauthorised: { status: 401, type: "unauthorized" },
  throttled: { status: 429, type: "not_allowed" },
  unavailable: { status: 503, type: "unexpected_state" },
  conflict: { status: 409, type: "conflict" },
  // Medusa has no conditional requests; HTTP's status, with Medusa's body.
  stale: { status: 412, type: "conflict" },
  reused: { status: 422, type: "invalid_data" },
};

function failureResponse(error: Failure): ErrorResponse {
  const { status, type } = ANSWER_BY_KIND[error.kind];
  const headers = error.retryAfterMs === undefined ? undefined : { "retry-after": String(Math.max(1, Math.ceil(error.retryAfterMs / 1000))) };
  // Medusa's own body for a lost race, which its clients recognise.
  const body: Record<string, string> =
    error.kind === "conflict"
      ? {
          code: "invalid_state_error",
          type,
          message: error.publicMessage ?? "The request conflicted with another request. You may retry the request with the provided Idempotency-Key.",
        }
      : { type, message: error.publicMessage ?? error.message };
  return { status, body, ...(headers && { headers }) };
}

export function medusaErrorHandler(error: unknown, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const response = toErrorResponse(error);
  if (response.status >= 500) request.log.error({ err: error }, "request failed");
  if (response.headers) reply.headers(response.headers);
  return reply.status(response.status).send(response.body);
}
