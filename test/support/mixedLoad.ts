/**
 * The load the fault suites run: clients that create customers, change their emails and
 * names, and add addresses, each client writing only its own customers one request at a
 * time, so the expected end state of every customer is known exactly. Then an audit of the
 * event store and the read model against what was acknowledged: every acknowledged write
 * present exactly once, nothing lost, nothing duplicated, and every email reservation held
 * by the customer that has the email (none twice, none left behind).
 */
import { EMAIL_RESERVATION_STREAM_PREFIX, LEGACY_EMAIL_RESERVATION_STREAM_PREFIX } from "../../shared/customers/emailReservation.js";
import type { EventStore, GlobalPosition, RecordedEvent } from "../../shared/eventstore/port.js";
import type { CustomerReadModel } from "../../shared/readmodel/port.js";

export interface ExpectedCustomer {
  email: string;
  first_name: string;
  addresses: string[];
  /** Acknowledged email changes, each of which must be in the stream exactly once. */
  emailChanges: number;
  /**
   * A write to it got no answer (the service was killed with it in flight): it may or may not
   * have happened, so only what must hold either way is checked.
   */
  uncertain: boolean;
}

export interface LoadTally {
  creates: number;
  updates: number;
  addresses: number;
  failures: string[];
  latencies: number[];
  customers: Map<string, ExpectedCustomer>;
}

export interface MixedLoadOptions {
  baseUrl: string;
  authorization: string;
  run: string;
  clients: number;
  hungMs: number;
  /** Read on every request: true while the fault lasts (for the latencies during it). */
  onLatency?: (ms: number) => void;
}

export function startMixedLoad(options: MixedLoadOptions): { tally: LoadTally; stop(): Promise<void> } {
  const tally: LoadTally = { creates: 0, updates: 0, addresses: 0, failures: [], latencies: [], customers: new Map() };
  let running = true;
  let sequence = 0;
  const call = async (method: string, path: string, body: unknown): Promise<{ customer?: { id: string; addresses?: Array<{ id: string }> } } | undefined> => {
    const started = Date.now();
    try {
      const response = await fetch(`${options.baseUrl}${path}`, {
        method,
        headers: { authorization: options.authorization, "content-type": "application/json" },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(options.hungMs),
      });
      const json = (await response.json()) as { customer?: { id: string }; message?: string };
      if (response.status === 200 && json.customer) return json;
      tally.failures.push(`${method} ${path.replace(/cus_\w+/, ":id")}: ${response.status} ${json.message ?? ""}`);
    } catch (error) {
      tally.failures.push((error as Error).name === "TimeoutError" ? `${method}: no answer within ${options.hungMs} ms` : String(error));
    } finally {
      tally.latencies.push(Date.now() - started);
      options.onLatency?.(Date.now() - started);
    }
    // A service that is down answers at once; do not spin against it.
    await new Promise((resolve) => setTimeout(resolve, 100));
    return undefined;
  };
  const client = async () => {
    const mine: string[] = [];
    while (running) {
      const n = (sequence += 1);
      const email = `load.${options.run}.${n}@example.com`;
      const roll = Math.random();
      if (mine.length === 0 || roll < 0.5) {
        const answer = await call("POST", "/admin/customers", { email, first_name: `v${n}` });
        if (!answer?.customer) continue;
        mine.push(answer.customer.id);
        tally.customers.set(answer.customer.id, { email, first_name: `v${n}`, addresses: [], emailChanges: 0, uncertain: false });
        tally.creates += 1;
        continue;
      }
      const id = mine[Math.floor(Math.random() * mine.length)]!;
      const expected = tally.customers.get(id)!;
      if (roll < 0.8) {
        const answer = await call("POST", `/admin/customers/${id}`, { email, first_name: `v${n}` });
        if (!answer) {
          expected.uncertain = true;
          continue;
        }
        Object.assign(expected, { email, first_name: `v${n}`, emailChanges: expected.emailChanges + 1 });
        tally.updates += 1;
      } else {
        const answer = await call("POST", `/admin/customers/${id}/addresses?fields=id,*addresses`, { city: `c${n}` });
        const known = new Set(expected.addresses);
        const added = answer?.customer?.addresses?.filter((address) => !known.has(address.id)) ?? [];
        if (!answer) {
          expected.uncertain = true;
          continue;
        }
        expected.addresses.push(...added.map((address) => address.id));
        tally.addresses += 1;
      }
    }
  };
  const clients = Promise.all(Array.from({ length: options.clients }, client));
  return {
    tally,
    async stop() {
      running = false;
      await clients;
    },
  };
}

export interface AuditReport {
  acknowledged: number;
  /** Acknowledged writes not in the event store or not in the read model. */
  lost: string[];
  /** Writes in the event store more often than they were acknowledged. */
  duplicated: string[];
  /** Reservations held by a customer that no longer has the email, or emails with no reservation. */
  reservations: string[];
  /**
   * The same, for customers with a write that got no answer: a command service killed between
   * reserving a new email, writing the change and releasing the old one leaves such a
   * reservation, which the next create of that email takes over (emailReservation.ts).
   */
  reservationsAfterUnansweredWrites: string[];
}

async function readEverything(store: EventStore, prefixes: string[]): Promise<RecordedEvent[]> {
  const events: RecordedEvent[] = [];
  let after: GlobalPosition | undefined;
  for (;;) {
    const page = await store.readAll({ after, streamPrefixes: prefixes, maxCount: 1000 });
    events.push(...page);
    if (page.length < 1000) return events;
    after = page.at(-1)!.position;
  }
}

export async function auditLoad(tally: LoadTally, store: EventStore, readModel: CustomerReadModel): Promise<AuditReport> {
  const report: AuditReport = {
    acknowledged: tally.creates + tally.updates + tally.addresses,
    lost: [],
    duplicated: [],
    reservations: [],
    reservationsAfterUnansweredWrites: [],
  };
  const streams = new Map<string, RecordedEvent[]>();
  for (const event of await readEverything(store, ["customer-"])) {
    const id = event.stream.slice("customer-".length);
    streams.set(id, [...(streams.get(id) ?? []), event]);
  }
  const documents = await readModel.customers.getMany([...tally.customers.keys()]);
  /** Each customer's email as its stream has it now. */
  const emailInStore = new Map<string, string | null>();
  for (const [id, expected] of tally.customers) {
    const events = streams.get(id) ?? [];
    for (const event of events) {
      if (event.type === "CustomerCreated") emailInStore.set(id, (event.data as { email: string | null }).email);
      const changes = event.type === "CustomerUpdated" ? (event.data as { changes: { email?: string | null } }).changes : {};
      if ("email" in changes) emailInStore.set(id, changes.email ?? null);
    }
    const created = events.filter((event) => event.type === "CustomerCreated").length;
    if (created === 0) report.lost.push(`${id}: create not in the event store`);
    if (created > 1) report.duplicated.push(`${id}: created ${created} times`);
    const emailChanges = events.filter((event) => event.type === "CustomerUpdated" && "email" in (event.data as { changes: object }).changes).length;
    const added = events.filter((event) => event.type === "CustomerAddressAdded").map((event) => (event.data as { address: { id: string } }).address.id);
    const document = documents.get(id);
    if (!document) report.lost.push(`${id}: not in the read model`);
    for (const address of expected.addresses) {
      if (!added.includes(address)) report.lost.push(`${id}: address ${address} not in the event store`);
      if (document && !document.addresses.some((shown) => shown.id === address)) report.lost.push(`${id}: address ${address} not in the read model`);
    }
    if (document && new Set(document.addresses.map((address) => address.id)).size !== document.addresses.length) report.duplicated.push(`${id}: an address shown twice in the read model`);
    // A write without an answer may have happened once; never twice.
    const unanswered = expected.uncertain ? 1 : 0;
    if (emailChanges < expected.emailChanges) report.lost.push(`${id}: ${expected.emailChanges - emailChanges} acknowledged updates not in the event store`);
    if (emailChanges > expected.emailChanges + unanswered) report.duplicated.push(`${id}: ${emailChanges - expected.emailChanges} updates more than acknowledged`);
    if (added.length > expected.addresses.length + unanswered) report.duplicated.push(`${id}: ${added.length - expected.addresses.length} addresses more than acknowledged`);
    if (!expected.uncertain && document && (document.email !== expected.email || document.first_name !== expected.first_name)) {
      report.lost.push(`${id}: the read model does not show its last acknowledged update`);
    }
  }

  // Every reservation's holder has that email now; every customer's email is reserved by it.
  const holders = new Map<string, string | null>();
  // Reservations made before the HMAC naming too: an email's own stream carries on from its legacy one, and follows it in the log.
  for (const event of await readEverything(store, [LEGACY_EMAIL_RESERVATION_STREAM_PREFIX, EMAIL_RESERVATION_STREAM_PREFIX])) {
    const data = event.data as { email: string; customer_id: string };
    if (event.type === "CustomerEmailReserved") holders.set(data.email, data.customer_id);
    else if (event.type === "CustomerEmailReleased" && holders.get(data.email) === data.customer_id) holders.set(data.email, null);
  }
  const problems = (id: string) => (tally.customers.get(id)?.uncertain ? report.reservationsAfterUnansweredWrites : report.reservations);
  for (const [email, holder] of holders) {
    if (holder !== null && emailInStore.has(holder) && emailInStore.get(holder) !== email) problems(holder).push(`${email} still reserved by ${holder}, which no longer has it`);
  }
  for (const [id, email] of emailInStore) {
    if (email !== null && holders.get(email) !== id) problems(id).push(`${email} of ${id} is not reserved by it`);
  }
  return report;
}
