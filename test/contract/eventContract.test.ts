/**
 * The published events' contract: the AsyncAPI document validates with the AsyncAPI parser;
 * the files in docs/ are what the code makes; every published version has a fixture that its
 * schema accepts and that upcasts to a valid current event; a version's schema only changes
 * compatibly (against the copy frozen when it was published); the events the service really
 * writes match their schemas; and every message carries its CloudEvents attributes.
 */
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { Parser } from "@asyncapi/parser";
import { Ajv } from "ajv";
import addFormats from "ajv-formats";
import t from "tap";
import { asyncApiDocument, DEFAULT_ASYNCAPI_SETTINGS } from "../../shared/events/asyncapi.js";
import { PUBLISHED_EVENTS, currentVersionOf, publishedEvent } from "../../shared/events/catalogue.js";
import { CE_HEADER, CLOUDEVENTS_SOURCE, cloudEventOf } from "../../shared/events/cloudEvents.js";
import { toBusMessage, toEnvelope } from "../../shared/events/envelope.js";
import { allEnvelopeSchemas, envelopeSchema, eventSchemaId, eventVersionName } from "../../shared/events/eventSchemas.js";
import { medusaEventNames } from "../../shared/events/medusaEvents.js";
import { compatibilityProblems } from "../../shared/events/schemaCompatibility.js";
import { UPCASTERS, type Upcasters, upcast } from "../../shared/events/upcasting.js";
import { readAllPages } from "../../shared/eventstore/readAllPages.js";
import { SealingEventStore } from "../../shared/eventstore/sealing.js";
import { loadSettings } from "../../shared/config.js";
import { silentLogger } from "../../shared/logger.js";
import { openKeyStore } from "../../shared/runtime/keys.js";
import { SqliteEventStore } from "../../shared/eventstore/sqlite.js";
import { startTestService } from "../support/service.js";

const FIXTURES = "test/fixtures/events";
const PUBLISHED_SCHEMAS = join(FIXTURES, "published-schemas");
const readJson = (path: string) => JSON.parse(readFileSync(path, "utf8")) as Record<string, unknown>;

const ajv = new Ajv({ allErrors: true, strict: false });
addFormats.default(ajv);
const validators = new Map(PUBLISHED_EVENTS.map((entry) => [eventVersionName(entry), ajv.compile(envelopeSchema(entry))]));
const problemsOf = (event: { type: string; schema_version: number }) => {
  const validate = validators.get(`${event.type}.v${event.schema_version}`);
  if (!validate) return [`no schema for ${event.type} v${event.schema_version}`];
  return validate(event) ? [] : (validate.errors ?? []).map((error) => `${error.instancePath} ${error.message}`);
};

t.test("the AsyncAPI document validates with the AsyncAPI parser, which does catch a broken one", async (t) => {
  const parser = new Parser();
  const document = asyncApiDocument({ eventsTopic: "shop.customers", medusaEventsTopic: "shop.medusa" });
  const diagnostics = await parser.validate(JSON.stringify(document));
  t.same(diagnostics.filter((d) => d.severity <= 1).map((d) => `${d.code}: ${d.message} at ${d.path.join(".")}`), [], "no error or warning");
  const parsed = await parser.parse(JSON.stringify(document));
  t.ok(parsed.document, "it parses");
  const [events, medusa] = [parsed.document!.channels().get("customerEvents")!, parsed.document!.channels().get("medusaEvents")!];
  t.equal(events.address(), "shop.customers", "the events channel is the configured topic");
  t.same(
    events.messages().all().map((message) => message.name()).sort(),
    PUBLISHED_EVENTS.map((entry) => entry.type).sort(),
    "one message per published event version",
  );
  t.equal(medusa.address(), "shop.medusa", "the Medusa channel is its configured topic");
  t.same(medusa.messages().all().map((message) => message.name()).sort(), medusaEventNames().sort(), "one message per Medusa event name");
  const sse = parsed.document!.channels().get("adminEvents")!;
  t.equal(sse.address(), "/admin/events", "the SSE route is a channel of its own");
  t.same(sse.servers().all().map((server) => server.protocol()), ["http"]);
  t.equal(sse.messages().all().length, PUBLISHED_EVENTS.length, "with the events topic's messages");
  const withoutMedusa = asyncApiDocument({ eventsTopic: "shop.customers", medusaEventsTopic: "" }) as { channels: Record<string, unknown> };
  t.same(Object.keys(withoutMedusa.channels), ["customerEvents", "adminEvents"], "no Medusa channel when that topic is off");
  const created = events.messages().all().find((message) => message.name() === "CustomerCreated")!;
  t.ok(created.headers()?.properties()?.[CE_HEADER.id], "messages declare the CloudEvents headers");
  t.equal(created.payload()?.id(), eventSchemaId("CustomerCreated", 1), "a message's payload is its event's schema");

  const broken = structuredClone(document) as { channels: { customerEvents: { messages: Record<string, unknown> } } };
  delete broken.channels.customerEvents.messages.CustomerCreated_v1;
  const brokenDiagnostics = await parser.validate(JSON.stringify(broken));
  t.ok(brokenDiagnostics.some((d) => d.severity === 0), "an operation naming a message its channel lacks is an error");
});

t.test("docs/ holds the contract as the code makes it (npm run contract writes it)", async (t) => {
  t.same(readJson("docs/asyncapi.json"), asyncApiDocument(DEFAULT_ASYNCAPI_SETTINGS), "docs/asyncapi.json is current");
  const schemas = allEnvelopeSchemas();
  t.same(readdirSync("docs/events").sort(), Object.keys(schemas).map((name) => `${name}.json`).sort(), "one schema file per event version");
  for (const [name, schema] of Object.entries(schemas)) t.same(readJson(`docs/events/${name}.json`), schema, `docs/events/${name}.json is current`);
});

t.test("the catalogue: versions run from 1 without gaps, and each older one has an upcaster to the next", async (t) => {
  for (const type of new Set(PUBLISHED_EVENTS.map((entry) => entry.type))) {
    const current = currentVersionOf(type)!;
    for (let version = 1; version <= current; version += 1) {
      t.ok(publishedEvent(type, version), `${type} v${version} is listed`);
      if (version < current) t.type(UPCASTERS[type]?.[version], "function", `${type} v${version} upcasts to v${version + 1}`);
    }
  }
  for (const [type, steps] of Object.entries(UPCASTERS)) {
    for (const version of Object.keys(steps)) t.ok(publishedEvent(type, Number(version) + 1), `the upcaster from ${type} v${version} leads to a listed version`);
  }
});

t.test("every published version has a fixture its schema accepts, and that upcasts to a valid current event", async (t) => {
  for (const entry of PUBLISHED_EVENTS) {
    const name = eventVersionName(entry);
    const fixture = readJson(join(FIXTURES, `${name}.json`)) as { type: string; schema_version: number; data: unknown };
    t.same([fixture.type, fixture.schema_version], [entry.type, entry.version], `${name}: the fixture is of its version`);
    t.same(problemsOf(fixture), [], `${name}: the schema accepts the fixture`);
    const current = upcast(fixture);
    t.equal(current.schema_version, currentVersionOf(entry.type), `${name}: upcasts to the current version`);
    t.same(problemsOf(current), [], `${name}: upcast, it is a valid current event`);
  }
});

t.test("a published version's schema changes only compatibly (against the copy frozen at publication)", async (t) => {
  for (const entry of PUBLISHED_EVENTS) {
    const name = eventVersionName(entry);
    const frozen = readJson(join(PUBLISHED_SCHEMAS, `${name}.json`));
    t.same(compatibilityProblems(frozen, envelopeSchema(entry)), [], `${name} still reads what was published`);
  }
  t.same(readdirSync(PUBLISHED_SCHEMAS).sort(), PUBLISHED_EVENTS.map((entry) => `${eventVersionName(entry)}.json`).sort(), "a frozen copy of every published version, and only of those");
});

t.test("the compatibility check refuses removing, retyping, newly requiring and narrowing, and allows adding", async (t) => {
  const published = readJson(join(PUBLISHED_SCHEMAS, "CustomerCreated.v1.json"));
  const edited = (edit: (data: { properties: Record<string, Record<string, unknown>>; required: string[] }) => void) => {
    const schema = structuredClone(published) as { properties: { data: { properties: Record<string, Record<string, unknown>>; required: string[] } } };
    edit(schema.properties.data);
    return compatibilityProblems(published, schema as unknown as Record<string, unknown>);
  };
  t.match(edited((data) => delete data.properties.phone), [/\$\.data\.phone: removed/]);
  t.match(edited((data) => (data.properties.has_account = { type: "string" })), [/\$\.data\.has_account: the type was \["boolean"\], now \["string"\]/]);
  t.match(edited((data) => (data.properties.email = { type: "string" })), [/\$\.data\.email: the alternative \{"type":"null"\} is no longer accepted/]);
  t.match(
    edited((data) => {
      data.properties.loyalty_tier = { type: "string" };
      data.required.push("loyalty_tier");
    }),
    [/\$\.data\.loyalty_tier: now required/],
  );
  t.match(edited((data) => (data.properties.created_at = { type: "string", format: "date" })), [/\$\.data\.created_at: "format" changed/]);
  t.same(edited((data) => (data.properties.loyalty_tier = { anyOf: [{ type: "string" }, { type: "null" }] })), [], "a new optional field is compatible");
});

t.test("upcasting applies each version's step in turn and leaves current events as they are", async (t) => {
  const upcasters: Upcasters = {
    CustomerCreated: {
      1: (data) => ({ ...(data as object), loyalty_tier: null }),
      2: (data) => ({ ...(data as object), locale: "en" }),
    },
  };
  const fixture = readJson(join(FIXTURES, "CustomerCreated.v1.json")) as { type: string; schema_version: number; data: Record<string, unknown> };
  const current = upcast(fixture, upcasters);
  t.equal(current.schema_version, 3);
  t.match(current.data, { id: fixture.data.id, loyalty_tier: null, locale: "en" });
  t.equal(fixture.schema_version, 1, "the event read is not changed in place");
  t.equal(upcast(current, upcasters), current, "a current event is returned as it is");
  const other = readJson(join(FIXTURES, "CustomerDeleted.v1.json")) as { type: string; schema_version: number; data: unknown };
  t.equal(upcast(other, upcasters), other, "a type without upcasters is returned as it is");
});

t.test("what the service really writes matches the schemas, and each message carries its CloudEvents attributes", async (t) => {
  const service = await startTestService();
  t.teardown(() => service.stop());
  const call = async (method: string, path: string, body?: unknown) => {
    const res = await service.request(method, path, { body });
    if (res.status !== 200) throw new Error(`${method} ${path} answered ${res.status}: ${res.text}`);
    return res.json;
  };
  const { customer } = await call("POST", "/admin/customers", { email: "contract@example.com", first_name: "Con", metadata: { a: 1 } });
  await call("POST", `/admin/customers/${customer.id}`, { last_name: "Tract", phone: "555" });
  const { customer: withAddress } = await call("POST", `/admin/customers/${customer.id}/addresses?fields=*addresses`, { city: "Oslo", is_default_billing: true });
  const addressId = withAddress.addresses[0].id;
  await call("POST", `/admin/customers/${customer.id}/addresses/${addressId}`, { city: "Bergen" });
  const { customer_group: group } = await call("POST", "/admin/customer-groups", { name: "Contract group" });
  await call("POST", `/admin/customer-groups/${group.id}`, { metadata: { b: 2 } });
  await call("POST", `/admin/customers/${customer.id}/customer-groups`, { add: [group.id] });
  await call("POST", `/admin/customers/${customer.id}/customer-groups`, { remove: [group.id] });
  await call("DELETE", `/admin/customers/${customer.id}/addresses/${addressId}`);
  await call("DELETE", `/admin/customer-groups/${group.id}`);
  await call("DELETE", `/admin/customers/${customer.id}`);
  await call("POST", `/admin/customers/${customer.id}/erase`);

  const served = await service.request("GET", "/asyncapi.json", { token: false });
  t.equal(served.status, 200, "GET /asyncapi.json answers without credentials");
  t.same(served.json, asyncApiDocument(DEFAULT_ASYNCAPI_SETTINGS), "and answers the document");

  // Personal fields are stored sealed: the schemas describe them opened, as subscribers get them.
  const keys = await openKeyStore(loadSettings({ NODE_ENV: "test", DATA_DIR: service.dataDir }), silentLogger);
  const store = new SealingEventStore(new SqliteEventStore(join(service.dataDir, "events.sqlite")), keys);
  t.teardown(async () => {
    await store.close();
    await keys.close();
  });
  const types = new Set<string>();
  for await (const page of readAllPages(store, { pageSize: 500, streamPrefixes: ["customer-", "customer_group-"] })) {
    for (const event of page) {
      types.add(event.type);
      const envelope = toEnvelope(event);
      t.same(problemsOf(envelope), [], `${event.type} at ${event.stream}@${event.revision} matches its schema`);
      const message = toBusMessage(event);
      t.same(
        cloudEventOf(message.headers),
        { specversion: "1.0", id: envelope.event_id, source: CLOUDEVENTS_SOURCE, type: event.type, subject: event.stream, time: envelope.occurred_at, dataschema: eventSchemaId(event.type, envelope.schema_version) },
        `${event.type}: its CloudEvents attributes`,
      );
      t.equal(message.headers[CE_HEADER.contentType], "application/json");
      t.notOk(message.key.includes("@") || message.value.length === 0, "the key is an id");
    }
  }
  t.same([...types].sort(), PUBLISHED_EVENTS.map((entry) => entry.type).filter((type) => !type.endsWith("CreationAbandoned")).sort(), "every type but the fences was written");
});
