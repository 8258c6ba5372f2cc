/**
 * Fills an event store with customers before the service starts, through the same commands
 * the API runs (each create reserves its email and appends its customer), but without HTTP,
 * so that a benchmark of 100,000 customers does not spend its time creating them. One
 * customer group holds every tenth customer, for the lists filtered by group.
 */
import { randomUUID } from "node:crypto";
import { monotonicFactory } from "ulid";
import { CustomerCommands } from "../shared/application/customerCommands.js";
import { CustomerGroupCommands } from "../shared/application/customerGroupCommands.js";
import type { CommandContext } from "../shared/application/context.js";
import { type CustomerEmailReservations, customerEmailReservations } from "../shared/application/reservations.js";
import { loadSettings } from "../shared/config.js";
import { SealingEventStore } from "../shared/eventstore/sealing.js";
import { openEventStore } from "../shared/runtime/adapters.js";
import { EMAIL_INDEX_KEY_SUBJECT } from "../shared/runtime/api.js";
import { openKeyStore } from "../shared/runtime/keys.js";
import type { EventStore } from "../shared/eventstore/port.js";
import { readAllPages } from "../shared/eventstore/readAllPages.js";
import { StreamStateCache } from "../shared/eventstore/streamStateCache.js";
import { silentLogger } from "../shared/logger.js";

export interface Preloaded {
  /** Ids of up to 1,000 of the customers, for retrieves and updates. */
  sampleIds: string[];
  groupId: string;
  count: number;
}

const FIRST_NAMES = ["Ada", "Grace", "Alan", "Edsger", "Barbara", "Donald", "Frances", "Ken", "Margaret", "Tony", "Radia", "John"];
const LAST_NAMES = ["Lovelace", "Hopper", "Turing", "Dijkstra", "Liskov", "Knuth", "Allen", "Thompson", "Hamilton", "Hoare", "Perlman", "Backus"];

/**
 * The event store as the service writes it (the data directory's file, or PostgreSQL with
 * POSTGRES_URL in `storeEnv`): personal fields sealed under the service's keys (the master
 * key `encryptionKey`, as the service is given it), and email reservations named under the
 * same index key, so that the service finds them.
 */
export async function openBenchStore(
  dataDir: string,
  encryptionKey: string,
  storeEnv: Record<string, string> = {},
): Promise<{ store: EventStore; emails: CustomerEmailReservations; close(): Promise<void> }> {
  // `storeEnv`: the settings that choose another event store (POSTGRES_URL, POSTGRES_SCHEMA), as the service gets them.
  const settings = loadSettings({ NODE_ENV: "test", DATA_DIR: dataDir, ENCRYPTION_KEY: encryptionKey, ...storeEnv });
  const keys = await openKeyStore(settings, silentLogger);
  const store = new SealingEventStore(openEventStore(settings), keys);
  const emails = customerEmailReservations({ indexKey: await keys.obtain(EMAIL_INDEX_KEY_SUBJECT), legacyStreams: false });
  return {
    store,
    emails,
    async close() {
      await store.close();
      await keys.close();
    },
  };
}

/** The email of the n-th preloaded customer, for lists filtered by email and searches. */
export const preloadedEmail = (n: number) => `preload.${n}@example.com`;

/**
 * Appends updates to the given customers, spread over them, until the store holds `events`
 * events in all (for the restart measured with a long log). How many were appended.
 */
export async function topUpWithUpdates(
  { store, emails }: { store: EventStore; emails: CustomerEmailReservations },
  ids: string[],
  events: number,
  progress: (done: number) => void = () => undefined,
): Promise<number> {
  const have = await countEvents(store);
  const wanted = Math.max(0, events - have);
  // With the states cached, as the service keeps them: each update reads nothing of its customer's growing stream.
  const states = new StreamStateCache({ maxBytes: 64 * 1024 * 1024 });
  const customers = new CustomerCommands({ store, states, clock: () => new Date(), logger: silentLogger, reservationGraceMs: 30_000, emails, newCustomerId: () => "", newAddressId: () => "" });
  const context = (): CommandContext => ({ actor: { id: "user_bench", type: "user" }, correlationId: randomUUID(), causationId: randomUUID() });
  let next = 0;
  const worker = async () => {
    while (next < wanted) {
      const n = next;
      next += 1;
      await customers.update(ids[n % ids.length]!, { first_name: `Updated ${n}`, metadata: { n } }, context());
      if ((n + 1) % 50_000 === 0) progress(have + n + 1);
    }
  };
  await Promise.all(Array.from({ length: 64 }, worker));
  return wanted;
}

/** Every event in the store, read from the start a page at a time. */
export async function countEvents(store: EventStore): Promise<number> {
  let events = 0;
  for await (const page of readAllPages(store, { pageSize: 10_000 })) events += page.length;
  return events;
}

export async function preloadCustomers(
  { store, emails }: { store: EventStore; emails: CustomerEmailReservations },
  count: number,
  progress: (done: number) => void = () => undefined,
): Promise<Preloaded> {
  const newUlid = monotonicFactory();
  const clock = () => new Date();
  const common = { store, clock, logger: silentLogger, reservationGraceMs: 30_000 };
  const customers = new CustomerCommands({ ...common, emails, newCustomerId: () => `cus_${newUlid()}`, newAddressId: () => `cuaddr_${newUlid()}` });
  const groups = new CustomerGroupCommands({ ...common, newGroupId: () => `cusgroup_${newUlid()}` });
  const context = (): CommandContext => ({ actor: { id: "user_bench", type: "user" }, correlationId: randomUUID(), causationId: randomUUID() });
  const group = await groups.create({ name: `Preloaded ${randomUUID().slice(0, 8)}` }, context());

  const sampleIds: string[] = [];
  let next = 0;
  // Many creates in flight, as many requests would be: the store commits them in batches.
  const worker = async () => {
    while (next < count) {
      const n = next;
      next += 1;
      const written = await customers.create(
        {
          email: preloadedEmail(n),
          first_name: FIRST_NAMES[n % FIRST_NAMES.length]!,
          last_name: `${LAST_NAMES[Math.floor(n / FIRST_NAMES.length) % LAST_NAMES.length]!} ${n}`,
          company_name: n % 3 === 0 ? `Company ${n % 101}` : null,
          phone: n % 5 === 0 ? `+44 20 7946 ${String(n % 10_000).padStart(4, "0")}` : null,
        },
        context(),
      );
      if (n % 10 === 0) await customers.changeGroups(written.id, { add: [group.id], remove: [] }, context());
      if (sampleIds.length < 1000 && n % Math.max(1, Math.floor(count / 1000)) === 0) sampleIds.push(written.id);
      if ((n + 1) % 10_000 === 0) progress(n + 1);
    }
  };
  await Promise.all(Array.from({ length: 64 }, worker));
  return { sampleIds, groupId: group.id, count };
}
