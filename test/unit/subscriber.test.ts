/**
 * The subscriber kit's contract, on the in-process bus: typed events in order, duplicates
 * skipped by id, retries, poison to the dead-letter topic (unreadable, too new, handler
 * exhausted), `stop` leaving the batch to be delivered again, unknown types skipped.
 */
import { readFileSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import t from "tap";
import { InProcessBus } from "../../shared/bus/inProcess.js";
import type { BusMessage, ConsumedMessage } from "../../shared/bus/port.js";
import { silentLogger } from "../../shared/logger.js";
import { decodeEvent } from "../../shared/subscriber/decode.js";
import type { EventOfType } from "../../shared/subscriber/events.js";
import { DEAD_LETTER_HEADER, deadLetterTopicOf, startSubscriber } from "../../shared/subscriber/subscriber.js";

const fixture = (name: string) => JSON.parse(readFileSync(`test/fixtures/events/${name}.v1.json`, "utf8")) as Record<string, any>;
const message = (envelope: Record<string, unknown>): BusMessage => ({ key: String((envelope.data as { id?: string })?.id ?? "k"), headers: {}, value: JSON.stringify(envelope) });
/** Event ids are UUIDs (the schema checks it): a readable name becomes one, and back. */
const NAMES = ["flaky", "broken", "after", "v9", "fine", "first", "second"];
const uuid = (name: string) => `00000000-0000-4000-8000-${String(NAMES.indexOf(name)).padStart(12, "0")}`;
const nameOf = (id: string) => NAMES[Number(id.slice(-12))]!;
const withId = (envelope: Record<string, any>, name: string) => ({ ...envelope, event_id: uuid(name) });

async function until(condition: () => boolean, what: string, ms = 5_000) {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

function deadLetters(bus: InProcessBus, topic: string) {
  const seen: ConsumedMessage[] = [];
  return { seen, ready: bus.subscribe({ topic: deadLetterTopicOf(topic, "kit"), groupId: "observer", fromBeginning: true }, async (messages) => void seen.push(...messages)) };
}

t.test("decoding: typed and checked against the schema of its version; what cannot be read says why", async (t) => {
  const created = decodeEvent(JSON.stringify(fixture("CustomerCreated")));
  t.equal(created.kind, "event");
  t.match(decodeEvent("{nope"), { kind: "invalid", reason: /^not JSON/ });
  t.match(decodeEvent(JSON.stringify({ hello: 1 })), { kind: "invalid", reason: /not an event envelope/ });
  t.match(decodeEvent(JSON.stringify({ ...fixture("CustomerCreated"), data: { id: 5 } })), { kind: "invalid", reason: /CustomerCreated v1 does not match its schema: \/data/ });
  t.match(decodeEvent(JSON.stringify({ ...fixture("CustomerCreated"), schema_version: 9 })), { kind: "unknown", type: "CustomerCreated", version: 9 });
  t.match(decodeEvent(JSON.stringify({ ...fixture("CustomerCreated"), type: "CustomerPromoted" })), { kind: "unknown", type: "CustomerPromoted", version: 1 });
});

t.test("handlers get typed events in order, each once however often it is delivered", async (t) => {
  const bus = new InProcessBus();
  t.teardown(() => bus.close());
  const handled: string[] = [];
  const subscription = await startSubscriber({
    bus,
    topic: "events",
    groupId: "kit",
    logger: silentLogger,
    handlers: {
      CustomerCreated: async (event: EventOfType<"CustomerCreated">) => void handled.push(`created ${event.data.email}`),
      CustomerUpdated: async (event) => void handled.push(`updated ${Object.keys(event.data.changes).join(",")}`),
    },
  });
  t.teardown(() => subscription.close());
  const created = fixture("CustomerCreated");
  const updated = fixture("CustomerUpdated");
  await bus.publish("events", [message(created), message(created), message(updated), message(fixture("CustomerGroupCreated")), message(updated)]);
  await until(() => handled.length >= 2, "two events handled");
  await sleep(100);
  t.same(handled, [`created ${created.data.email}`, "updated first_name,metadata"], "duplicates by event id skipped, types without a handler skipped");
});

t.test("a failing handler is retried, then its event goes to the dead-letter topic and the rest goes on", async (t) => {
  const bus = new InProcessBus();
  t.teardown(() => bus.close());
  const dead = deadLetters(bus, "events");
  await dead.ready;
  const attempts: number[] = [];
  const handled: string[] = [];
  const subscription = await startSubscriber({
    bus,
    topic: "events",
    groupId: "kit",
    logger: silentLogger,
    retry: { attempts: 3, delayMs: 5 },
    handlers: {
      CustomerCreated: async (event, { attempt }) => {
        if (nameOf(event.event_id) === "flaky" && attempt < 2) throw new Error("a hiccup");
        if (nameOf(event.event_id) === "broken") {
          attempts.push(attempt);
          throw new Error("always fails");
        }
        handled.push(nameOf(event.event_id));
      },
    },
  });
  t.teardown(() => subscription.close());
  const created = fixture("CustomerCreated");
  await bus.publish("events", [message(withId(created, "flaky")), message(withId(created, "broken")), message(withId(created, "after"))]);
  await until(() => handled.includes("after"), "the event after the poison");
  t.same(handled, ["flaky", "after"], "a retry succeeded; the poison did not stop the rest");
  t.same(attempts, [1, 2, 3], "three attempts");
  await until(() => dead.seen.length === 1, "the dead letter");
  const [letter] = dead.seen;
  t.equal(JSON.parse(letter!.value).event_id, uuid("broken"), "the original value");
  t.match(letter!.headers, {
    [DEAD_LETTER_HEADER.reason]: "the CustomerCreated handler failed 3 times: always fails",
    [DEAD_LETTER_HEADER.topic]: "events",
    [DEAD_LETTER_HEADER.group]: "kit",
    [DEAD_LETTER_HEADER.attempts]: "3",
    [DEAD_LETTER_HEADER.offset]: "1",
  });
});

t.test("unreadable messages and versions newer than the code go to the dead-letter topic at once", async (t) => {
  const bus = new InProcessBus();
  t.teardown(() => bus.close());
  const dead = deadLetters(bus, "events");
  await dead.ready;
  const handled: string[] = [];
  const subscription = await startSubscriber({ bus, topic: "events", groupId: "kit", logger: silentLogger, handlers: { CustomerCreated: async (event) => void handled.push(nameOf(event.event_id)) } });
  t.teardown(() => subscription.close());
  const created = fixture("CustomerCreated");
  await bus.publish("events", [{ key: "x", headers: {}, value: "not json" }, message({ ...withId(created, "v9"), schema_version: 9 }), message(withId(created, "fine"))]);
  await until(() => dead.seen.length === 2 && handled.length === 1, "two dead letters and one event");
  t.match(dead.seen.map((letter) => letter.headers[DEAD_LETTER_HEADER.reason]), [/^unreadable: not JSON/, /^CustomerCreated v9 is newer than this subscriber knows/]);
  t.same(handled, ["fine"]);
});

t.test("onExhausted stop: the batch stays uncommitted and comes again until the handler succeeds", async (t) => {
  const bus = new InProcessBus();
  t.teardown(() => bus.close());
  let healthy = false;
  let calls = 0;
  const handled: string[] = [];
  const subscription = await startSubscriber({
    bus,
    topic: "events",
    groupId: "kit",
    logger: silentLogger,
    retry: { attempts: 2, delayMs: 1 },
    onExhausted: "stop",
    handlers: {
      CustomerCreated: async (event) => {
        calls += 1;
        if (!healthy) throw new Error("database down");
        handled.push(nameOf(event.event_id));
      },
    },
  });
  t.teardown(() => subscription.close());
  await bus.publish("events", [message(withId(fixture("CustomerCreated"), "first")), message(withId(fixture("CustomerCreated"), "second"))]);
  await until(() => calls >= 6, "several rounds of attempts");
  t.same(handled, [], "nothing handled, nothing skipped while it fails");
  t.equal((await bus.groupOffsets("events", "kit")).lag, 2, "nothing committed");
  healthy = true;
  await until(() => handled.length === 2, "both handled once it works");
  t.same(handled, ["first", "second"]);
  for (let tries = 0; (await bus.groupOffsets("events", "kit")).lag !== 0 && tries < 100; tries += 1) await sleep(10);
  t.equal((await bus.groupOffsets("events", "kit")).lag, 0, "committed once handled");
});
