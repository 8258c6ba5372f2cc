/**
 * What a role says about itself at GET /health: "ok", or "unhealthy" with the reasons, each a
 * sentence an operator can act on. Unhealthy means the role is not doing its job now (and
 * has not been for a while), whatever the cause; the process is alive either way. "degraded"
 * is for the command service: it still answers every request, more slowly or less fresh.
 */
export interface HealthReport {
  status: "ok" | "degraded" | "unhealthy";
  reasons: string[];
  /** Figures behind the verdict (lag, membership, positions), for the curious operator. */
  details: Record<string, unknown>;
}

export type HealthCheck = () => HealthReport;

export function healthReport(reasons: Array<string | undefined>, details: Record<string, unknown>, verdict: "degraded" | "unhealthy" = "unhealthy"): HealthReport {
  const found = reasons.filter((reason): reason is string => reason !== undefined);
  return { status: found.length === 0 ? "ok" : verdict, reasons: found, details };
}

/** A failure that has lasted since `since`, as the roles keep them. */
export interface OngoingFailure {
  since: number;
  message: string;
}

export const seconds = (ms: number): string => `${Math.round(ms / 1000)} s`;

/** "<what> for N s: <message>" once `failure` has lasted `after` ms, else nothing. */
export function lastingFailure(what: string, failure: OngoingFailure | undefined, now: number, after: number): string | undefined {
  if (!failure || now - failure.since < after) return undefined;
  return `${what} for ${seconds(now - failure.since)}: ${failure.message}`;
}

export function failureSince(previous: OngoingFailure | undefined, error: unknown, now: number): OngoingFailure {
  return { since: previous?.since ?? now, message: error instanceof Error ? error.message : String(error) };
}

/**
 * One role's report from the checks of the things it runs (a publisher per topic): the worst
 * status, each reason with what it is about, and each one's figures under its name.
 */
export function combinedHealth(parts: Array<{ topic: string; check: HealthCheck }>): HealthCheck {
  if (parts.length === 1) return parts[0]!.check;
  const rank = { ok: 0, degraded: 1, unhealthy: 2 } as const;
  return () => {
    const reports = parts.map(({ topic, check }) => ({ topic, report: check() }));
    const worst = reports.reduce((status, { report }) => (rank[report.status] > rank[status] ? report.status : status), "ok" as HealthReport["status"]);
    return {
      status: worst,
      reasons: reports.flatMap(({ topic, report }) => report.reasons.map((reason) => `${topic}: ${reason}`)),
      details: Object.fromEntries(reports.map(({ topic, report }) => [topic, report.details])),
    };
  };
}
