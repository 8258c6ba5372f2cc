/**
 * What a KurrentDB client failure means for the service, in the port's terms: a lost race
 * (WrongExpectedRevision), a stream deleted for good (StreamDeleted), a write too large
 * (EventTooLarge), a service the server refuses as configured (EventStoreMisconfigured:
 * credentials, TLS, a server too old), or a server that cannot answer now
 * (EventStoreUnavailable: retry later). Only the last one is worth retrying.
 */
import { type CommandError, type CurrentStreamState, ErrorType, WrongExpectedVersionError, convertToCommandError, isCommandError } from "@kurrent/kurrentdb-client";
import {
  type ExpectedRevision,
  EventStoreMisconfigured,
  EventStoreUnavailable,
  EventTooLarge,
  StreamDeleted,
  WrongExpectedRevision,
} from "./port.js";

/** The client reports a missing stream as "no_stream" or, from some paths, as a negative revision. */
export function toActualRevision(state: CurrentStreamState): number | "no_stream" {
  return state === "no_stream" || state < 0n ? "no_stream" : Number(state);
}

/** A conflict becomes the port's WrongExpectedRevision; anything else as toStoreError. */
export function toAppendError(error: unknown, stream: string, expected: ExpectedRevision): unknown {
  const converted = asCommandError(error);
  if (converted instanceof WrongExpectedVersionError) {
    return new WrongExpectedRevision(stream, expected, toActualRevision(converted.actualState));
  }
  return toStoreError(error, stream);
}

/** How a secure server answers a client that speaks plain HTTP/2 to it, or the other way round. */
const TLS_TROUBLE = /\b(ssl|tls|certificate|handshake|wrong version number)\b/i;

/**
 * Every failure the client reports (whether already a client error or a raw gRPC status),
 * classified as the module comment says. The Rust-backed reads report deadlines and closed
 * connections as "unknown" errors: those are unavailable. Other errors (the port's own,
 * programming errors) pass unchanged.
 */
export function toStoreError(error: unknown, stream?: string): unknown {
  const converted = asCommandError(error);
  if (!converted) return error;
  const detail = `KurrentDB ${converted.type}: ${converted.message}`;
  switch (converted.type) {
    case ErrorType.STREAM_DELETED:
    case ErrorType.STREAM_TOMBSTONED:
      return Object.assign(new StreamDeleted(stream ?? streamOf(converted)), { cause: converted });
    case ErrorType.MAXIMUM_APPEND_SIZE_EXCEEDED:
    case ErrorType.APPEND_RECORD_SIZE_EXCEEDED:
    case ErrorType.TRANSACTION_MAX_SIZE_EXCEEDED:
      return Object.assign(new EventTooLarge(stream ?? streamOf(converted)), { cause: converted });
    case ErrorType.ACCESS_DENIED:
      return new EventStoreMisconfigured(`${detail}. KurrentDB refused this service: check the user name and password in KURRENTDB_URL and the user's rights`, {
        cause: converted,
      });
    case ErrorType.UNSUPPORTED:
      return new EventStoreMisconfigured(`${detail}. The KurrentDB server is too old for this service's client`, { cause: converted });
    case ErrorType.INVALID_ARGUMENT:
      return new EventStoreMisconfigured(`${detail}. KurrentDB refused a request as invalid`, { cause: converted });
    default:
      if (TLS_TROUBLE.test(converted.message)) {
        return new EventStoreMisconfigured(
          `${detail}. The connection's security does not match the server's: set tls=true in KURRENTDB_URL for a secure server (with its certificate trusted), tls=false for an insecure one`,
          { cause: converted },
        );
      }
      return new EventStoreUnavailable(detail, { cause: converted });
  }
}

function streamOf(error: CommandError): string {
  // The v1 protocol's errors name it streamName, the v2 protocol's (writes across streams) stream.
  if ("streamName" in error && typeof error.streamName === "string") return error.streamName;
  if ("stream" in error && typeof error.stream === "string") return error.stream;
  return "(unknown stream)";
}

/** The client's error, converting a raw gRPC status the way the client does (some paths reject with one). */
export function asCommandError(error: unknown): CommandError | undefined {
  if (!(error instanceof Error)) return undefined;
  if (isCommandError(error)) return error;
  const status = error as Error & { code?: unknown; details?: unknown };
  if (typeof status.code !== "number" || typeof status.details !== "string") return undefined;
  const converted = convertToCommandError(error);
  return isCommandError(converted) ? converted : undefined;
}
