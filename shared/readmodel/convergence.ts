/**
 * The convergence check: fold every customer stream of the event store (the source of
 * truth) with the projection and compare the result with what the read model holds.
 * Used by the fault tests; a clean report means nothing was lost, duplicated or left stale.
 */
import { isDeepStrictEqual } from "node:util";
import { CUSTOMER_STREAM_PREFIX, type CustomerEvent } from "../customers/customer.js";
import { aggregateIdOf } from "../events/envelope.js";
import type { EventStore, GlobalPosition } from "../eventstore/port.js";
import { type CustomerDocument, projectCustomerEvent } from "./customerDocument.js";
import type { CustomerReadModel } from "./port.js";

export interface ConvergenceReport {
  /** Customers the event store says exist. */
  expected: number;
  /** Missing from the read model. */
  missing: string[];
  /** Present but different from the fold of their stream. */
  different: Array<{ id: string; expected: CustomerDocument; actual: CustomerDocument }>;
}

export async function foldCustomers(store: EventStore): Promise<Map<string, CustomerDocument>> {
  const documents = new Map<string, CustomerDocument | null>();
  let after: GlobalPosition | undefined;
  for (;;) {
    const page = await store.readAll({ after, streamPrefixes: [CUSTOMER_STREAM_PREFIX], maxCount: 1000 });
    for (const recorded of page) {
      const id = aggregateIdOf(recorded.stream);
      const event = { type: recorded.type, data: recorded.data } as CustomerEvent;
      documents.set(id, projectCustomerEvent(documents.get(id) ?? null, event, recorded.revision));
    }
    if (page.length < 1000) break;
    after = page.at(-1)!.position;
  }
  return new Map([...documents].filter((entry): entry is [string, CustomerDocument] => entry[1] !== null));
}

export async function checkConvergence(store: EventStore, readModel: CustomerReadModel): Promise<ConvergenceReport> {
  const expected = await foldCustomers(store);
  const report: ConvergenceReport = { expected: expected.size, missing: [], different: [] };
  for (const [id, document] of expected) {
    const actual = await readModel.getCustomer(id);
    if (!actual) report.missing.push(id);
    else if (!isDeepStrictEqual({ ...actual }, { ...document })) report.different.push({ id, expected: document, actual });
  }
  return report;
}
