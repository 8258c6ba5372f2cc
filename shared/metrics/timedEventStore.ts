/**
 * The event store with its appends timed: a Proxy rather than a class, so that the port's
 * other methods (and optional ones an adapter may lack) pass through untouched.
 */
import type { EventStore } from "../eventstore/port.js";
import type { ServiceMetrics } from "./registry.js";

const TIMED = new Set<string | symbol>(["appendToStream", "appendToStreams"]);

export function timeAppends(store: EventStore, metrics: ServiceMetrics): EventStore {
  return new Proxy(store, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver);
      if (!TIMED.has(property) || typeof value !== "function") return typeof value === "function" ? value.bind(target) : value;
      return async (...args: unknown[]) => {
        const stop = metrics.appendDuration.startTimer({ operation: String(property) });
        try {
          return await value.apply(target, args);
        } finally {
          stop();
        }
      };
    },
  });
}
