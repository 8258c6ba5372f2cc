/**
 * The convergence check, repeated until the read model has caught up with the event store
 * (nothing missing, nothing different) or `withinMs` has passed: the report of the last look,
 * for the test to assert on.
 */
import type { EventStore } from "../../shared/eventstore/port.js";
import { type ConvergenceReport, checkConvergence } from "../../shared/readmodel/convergence.js";
import type { CustomerReadModel } from "../../shared/readmodel/port.js";

export async function awaitConvergence(store: EventStore, readModel: CustomerReadModel, withinMs: number): Promise<ConvergenceReport> {
  const deadline = Date.now() + withinMs;
  let report = await checkConvergence(store, readModel);
  while ((report.missing.length > 0 || report.different.length > 0) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 500));
    report = await checkConvergence(store, readModel);
  }
  return report;
}
