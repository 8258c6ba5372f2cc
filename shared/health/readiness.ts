/**
 * What GET /ready reports: whether each dependency the command service needs to answer is
 * usable now. Unlike GET /health (is the process doing its job, judged over a while), a load
 * balancer or an orchestrator uses it to decide whether to send traffic, so one failed sample
 * is enough. Each dependency is sampled in the background (sampling.ts), so the answer comes at
 * once even while a server it asks is frozen, and a frozen server counts as unusable.
 */
import { type Sampling, startSampling } from "./sampling.js";

/** A dependency's state after one look at it: usable or not, and why in a few words. */
export interface ProbeResult {
  usable: boolean;
  reason: string;
}

export type Probe = () => Promise<ProbeResult>;

export interface DependencyReadiness {
  name: string;
  status: "ok" | "unavailable";
  reason: string;
}

export interface ReadinessReport {
  status: "ready" | "not_ready";
  dependencies: DependencyReadiness[];
}

export type ReadinessCheck = () => ReadinessReport;

/** Reasons come from server errors; kept short so that an answer stays an overview. */
const MAX_REASON = 200;

export interface ReadinessWatch {
  check: ReadinessCheck;
  /**
   * Samples every dependency again now. A service calls it once its start-up is done and before
   * it listens, so that the first answers of /ready describe the started service, not the
   * moment its parts were still starting.
   */
  sampleNow(): Promise<void>;
  stop(): void;
}

export function watchReadiness(probes: Record<string, Probe>, options: { sampleEveryMs?: number } = {}): ReadinessWatch {
  const watched = Object.entries(probes).map(([name, probe]) => {
    const state: { latest?: ProbeResult; sampling?: Sampling } = {};
    state.sampling = startSampling(async () => {
      state.latest = await probe();
    }, options.sampleEveryMs ?? 2_000);
    return { name, state };
  });
  const check: ReadinessCheck = () => {
    const dependencies = watched.map(({ name, state }): DependencyReadiness => {
      const failure = state.sampling?.failure();
      if (failure) return { name, status: "unavailable", reason: failure.message.slice(0, MAX_REASON) };
      if (!state.latest) return { name, status: "unavailable", reason: "not checked yet" };
      return { name, status: state.latest.usable ? "ok" : "unavailable", reason: state.latest.reason.slice(0, MAX_REASON) };
    });
    return { status: dependencies.every(({ status }) => status === "ok") ? "ready" : "not_ready", dependencies };
  };
  return {
    check,
    sampleNow: async () => {
      await Promise.all(watched.map(({ state }) => state.sampling?.sampleNow()));
    },
    stop: () => watched.forEach(({ state }) => state.sampling?.stop()),
  };
}
