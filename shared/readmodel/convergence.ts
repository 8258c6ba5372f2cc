/**
 * The convergence check: fold every customer and customer-group stream of the event store
 * (the source of truth) with the projections and compare the result with what the read model
 * holds, both ways: every stream's document is there and equal, and no document is there
 * without a stream that makes it. Used by `npm run check` and by the fault, replay and
 * cluster tests; a clean report means nothing was lost, duplicated or left stale.
 *
 * On a live system writes go on while the check runs, so a difference may only be the
 * projector's short lag: with `settleMs`, every difference is looked at again after that
 * long, from its stream's latest events, and only those that persist are reported.
 */
import { isDeepStrictEqual } from "node:util";
import { CUSTOMER_GROUP_STREAM_PREFIX, type CustomerGroupEvent, customerGroupStreamName } from "../customerGroups/group.js";
import { CUSTOMER_STREAM_PREFIX, type CustomerEvent, customerStreamName } from "../customers/customer.js";
import { aggregateIdOf } from "../events/envelope.js";
import { currentEventOf } from "../events/upcasting.js";
import type { EventStore } from "../eventstore/port.js";
import { readAllPages } from "../eventstore/readAllPages.js";
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
  /** In the read model, but no stream makes them. */
  extra: string[];
}

export interface CheckProgress {
  phase: "reading the event store" | "comparing documents" | "looking for documents without a stream" | "looking again at differences";
  done: number;
  total?: number;
}

export interface CheckOptions {
  onProgress?: (progress: CheckProgress) => void;
  /** Look again at each difference after this long, and report only those that persist (0: no second look). */
  settleMs?: number;
}

const READ_PAGE = 1000;
const COMPARE_BATCH = 200;

interface Kind<D, E> {
  prefix: string;
  streamOf: (id: string) => string;
  project: (document: D | null, event: E, revision: number) => D | null;
  get: (readModel: CustomerReadModel, ids: string[]) => Promise<Map<string, D>>;
}

const CUSTOMERS: Kind<CustomerDocument, CustomerEvent> = {
  prefix: CUSTOMER_STREAM_PREFIX,
  streamOf: customerStreamName,
  project: projectCustomerEvent,
  get: (readModel, ids) => readModel.customers.getMany(ids),
};

const GROUPS: Kind<CustomerGroupDocument, CustomerGroupEvent> = {
  prefix: CUSTOMER_GROUP_STREAM_PREFIX,
  streamOf: customerGroupStreamName,
  project: projectCustomerGroupEvent,
  get: (readModel, ids) => readModel.groups.getMany(ids),
};

async function foldAll<D, E>(store: EventStore, kind: Kind<D, E>, onEvents: (count: number) => void = () => undefined): Promise<Map<string, D>> {
  const documents = new Map<string, D | null>();
  for await (const page of readAllPages(store, { streamPrefixes: [kind.prefix], pageSize: READ_PAGE })) {
    for (const recorded of page) {
      const id = aggregateIdOf(recorded.stream);
      documents.set(id, kind.project(documents.get(id) ?? null, currentEventOf(recorded) as E, recorded.revision));
    }
    onEvents(page.length);
  }
  return new Map([...documents].filter((entry): entry is [string, D] => entry[1] !== null));
}

async function foldOne<D, E>(store: EventStore, kind: Kind<D, E>, id: string): Promise<D | null> {
  const events = await store.readStream(kind.streamOf(id));
  return events.reduce<D | null>((document, recorded) => kind.project(document, currentEventOf(recorded) as E, recorded.revision), null);
}

export const foldCustomers = (store: EventStore): Promise<Map<string, CustomerDocument>> => foldAll(store, CUSTOMERS);
export const foldCustomerGroups = (store: EventStore): Promise<Map<string, CustomerGroupDocument>> => foldAll(store, GROUPS);

export async function checkConvergence(store: EventStore, readModel: CustomerReadModel, options: CheckOptions = {}): Promise<ConvergenceReport> {
  const progress = options.onProgress ?? (() => undefined);
  let eventsRead = 0;
  const counted = (count: number) => progress({ phase: "reading the event store", done: (eventsRead += count) });
  const customers = await foldAll(store, CUSTOMERS, counted);
  const groups = await foldAll(store, GROUPS, counted);
  const total = customers.size + groups.size;
  const report: ConvergenceReport = { expected: total, missing: [], different: [], extra: [] };

  let compared = 0;
  const compare = async <D extends AnyDocument, E>(kind: Kind<D, E>, folded: Map<string, D>) => {
    const ids = [...folded.keys()];
    for (let start = 0; start < ids.length; start += COMPARE_BATCH) {
      const batch = ids.slice(start, start + COMPARE_BATCH);
      const stored = await kind.get(readModel, batch);
      for (const id of batch) record(report, id, folded.get(id)!, stored.get(id) ?? null);
      progress({ phase: "comparing documents", done: (compared += batch.length), total });
    }
  };
  await compare(CUSTOMERS, customers);
  await compare(GROUPS, groups);

  progress({ phase: "looking for documents without a stream", done: 0 });
  const stored = { customers: await readModel.customers.ids(), groups: await readModel.groups.ids() };
  report.extra.push(...stored.customers.filter((id) => !customers.has(id)), ...stored.groups.filter((id) => !groups.has(id)));
  const kindOf = (id: string) => (stored.groups.includes(id) || groups.has(id) ? GROUPS : CUSTOMERS) as Kind<AnyDocument, unknown>;

  const settleMs = options.settleMs ?? 0;
  const doubtful = [...report.missing, ...report.different.map((difference) => difference.id), ...report.extra];
  if (settleMs === 0 || doubtful.length === 0) return report;
  await new Promise((resolve) => setTimeout(resolve, settleMs));
  const settled: ConvergenceReport = { expected: total, missing: [], different: [], extra: [] };
  let looked = 0;
  for (const id of doubtful) {
    const kind = kindOf(id);
    const expected = await foldOne(store, kind, id);
    const actual = (await kind.get(readModel, [id])).get(id) ?? null;
    if (expected === null) {
      if (actual !== null) settled.extra.push(id);
    } else record(settled, id, expected, actual);
    progress({ phase: "looking again at differences", done: (looked += 1), total: doubtful.length });
  }
  return settled;
}

function record(report: ConvergenceReport, id: string, expected: AnyDocument, actual: AnyDocument | null): void {
  if (!actual) report.missing.push(id);
  else if (!isDeepStrictEqual({ ...actual }, { ...expected })) report.different.push({ id, expected, actual });
}
