/**
 * `npm run contract`: the published events' contract as files: the AsyncAPI document and one
 * JSON Schema per event version, made from the code's own schemas. docs/ holds them as
 * written with the defaults (the tests check that they are current); subscribers can take
 * them from there, from a running service (GET /asyncapi.json), or write them with this.
 */
import { mkdirSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { DEFAULT_ASYNCAPI_SETTINGS, asyncApiDocument } from "../../shared/events/asyncapi.js";
import { allEnvelopeSchemas } from "../../shared/events/eventSchemas.js";
import { parseCommandLine } from "../../shared/runtime/cli.js";

const usage = `Usage: npm run contract -- [--out DIR] [--events-topic NAME] [--medusa-events-topic NAME]

Writes the contract of the events the service publishes:
  DIR/asyncapi.json                  the AsyncAPI 3.1 document (topic, messages, headers, key)
  DIR/events/<Type>.v<N>.json        the JSON Schema of each event version's envelope

  --out            where to write (default: docs, the copy kept with the code)
  --events-topic   the events topic the document names (default: ${DEFAULT_ASYNCAPI_SETTINGS.eventsTopic}, EVENTS_TOPIC's default)
  --medusa-events-topic
                   the topic of Medusa's event names (default: ${DEFAULT_ASYNCAPI_SETTINGS.medusaEventsTopic},
                   MEDUSA_EVENTS_TOPIC's default; "" leaves it out)
  -h, --help       show this text

Examples:
  npm run contract
  npm run contract -- --out /tmp/contract --events-topic shop.customers.v1

Exit codes: 0 written, 1 could not write, 2 wrong options.`;

const values = parseCommandLine({ out: { type: "string" }, "events-topic": { type: "string" }, "medusa-events-topic": { type: "string" } }, usage);
const out = values.out ?? "docs";
const eventsDir = join(out, "events");
mkdirSync(eventsDir, { recursive: true });

const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;
const topics = {
  eventsTopic: values["events-topic"] ?? DEFAULT_ASYNCAPI_SETTINGS.eventsTopic,
  medusaEventsTopic: values["medusa-events-topic"] ?? DEFAULT_ASYNCAPI_SETTINGS.medusaEventsTopic,
};
writeFileSync(join(out, "asyncapi.json"), json(asyncApiDocument(topics)));
const schemas = allEnvelopeSchemas();
// A schema file the catalogue no longer makes would mislead: versions are never removed, so one left over is a rename.
for (const file of readdirSync(eventsDir)) if (file.endsWith(".json") && !(file.slice(0, -".json".length) in schemas)) rmSync(join(eventsDir, file));
for (const [name, schema] of Object.entries(schemas)) writeFileSync(join(eventsDir, `${name}.json`), json(schema));
console.log(`Wrote ${join(out, "asyncapi.json")} and ${Object.keys(schemas).length} event schemas in ${eventsDir}`);
