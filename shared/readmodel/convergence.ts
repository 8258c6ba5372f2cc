/**
 * The convergence check: fold every customer and customer-group stream of the event store
 * (the source of truth) with the projections and compare the result with what the read model
 * holds. Used by the fault and replay tests; a clean report means nothing was lost,
 * duplicated or left stale.
 */
import { isDeepStrictEqual } from "node:util";
import { CUSTOMER_GROUP_STREAM_PREFIX, type CustomerGroupEvent } from "../customerGroups/group.js";
import { CUSTOMER_STREAM_PREFIX, type CustomerEvent } from "../customers/customer.js";
import { aggregateIdOf } from "../events/envelope.js";
import type { EventStore, GlobalPosition } from "../eventstore/port.js";
import { type CustomerDocument, projectCustomerEvent } from "./customerDocument.js";
import { type CustomerGroupDocument, projectCustomerGroupEvent } from "./customerGroupDocument.js";
import type { CustomerReadModel } from "./port.js";

type AnyDocument = CustomerDocument | CustomerGroupDocument;

export interface ConvergenceReport {
  /** Customers and groups the event store says exist. */
  expected: number;
  /** Missing from the read model. */
  missing: string[];
  /** Present but different from the fold of their stream. */
  different: Array<{ id: string; expected: AnyDocument; actual: AnyDocument }>;
}

const PAGE = 1000;

async function fold<D, E>(store: EventStore, prefix: string, project: (document: D | null, event: E, revision: number) => D | null): Promise<Map<string, D>> {
  const documents = new Map<string, D | null>();
  let after: GlobalPosition | undefined;
  for (;;) {
    const page = await store.readAll({ after, streamPrefixes: [prefix], maxCount: PAGE });
    for (const recorded of page) {
      const id = aggregateIdOf(recorded.stream);
      documents.set(id, project(documents.get(id) ?? null, { type: recorded.type, data: recorded.data } as E, recorded.revision));
    }
    if (page.length < PAGE) break;
    after = page.at(-1)!.position;
  }
  return new Map([...documents].filter((entry): entry is [string, D] => entry[1] !== null));
}

export const foldCustomers = (store: EventStore): Promise<Map<string, CustomerDocument>> =>
  fold<CustomerDocument, CustomerEvent>(store, CUSTOMER_STREAM_PREFIX, projectCustomerEvent);

export const foldCustomerGroups = (store: EventStore): Promise<Map<string, CustomerGroupDocument>> =>
  fold<CustomerGroupDocument, CustomerGroupEvent>(store, CUSTOMER_GROUP_STREAM_PREFIX, projectCustomerGroupEvent);

export async function checkConvergence(store: EventStore, readModel: CustomerReadModel): Promise<ConvergenceReport> {
  const customers = await foldCustomers(store);
  const groups = await foldCustomerGroups(store);
  const report: ConvergenceReport = { expected: customers.size + groups.size, missing: [], different: [] };
  const compare = (id: string, expected: AnyDocument, actual: AnyDocument | null) => {
    if (!actual) report.missing.push(id);
    else if (!isDeepStrictEqual({ ...actual }, { ...expected })) report.different.push({ id, expected, actual });
  };
  for (const [id, document] of customers) compare(id, document, await readModel.getCustomer(id));
  for (const [id, document] of groups) compare(id, document, await readModel.getGroup(id));
  return report;
}
