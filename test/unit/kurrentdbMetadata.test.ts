import t from "tap";
import { fromStoredMetadata, toMetadataProperties } from "../../shared/eventstore/kurrentdbMetadata.js";
import type { EventMetadata } from "../../shared/eventstore/port.js";

const metadata: EventMetadata = {
  event_id: "4f1c2a9e-0000-4000-8000-000000000001",
  schema_version: 1,
  occurred_at: "2026-01-02T03:04:05.678Z",
  correlation_id: "req-1",
  causation_id: "cmd-1",
  actor: { id: "user_01", type: "user" },
};

t.test("flattened to string properties, nested objects as dotted names", async (t) => {
  t.same(toMetadataProperties(metadata), {
    event_id: metadata.event_id,
    schema_version: "1",
    occurred_at: metadata.occurred_at,
    correlation_id: "req-1",
    causation_id: "cmd-1",
    "actor.id": "user_01",
    "actor.type": "user",
  });
});

t.test("read back in the port's shape, without the server's own entries", async (t) => {
  const stored = { ...toMetadataProperties(metadata), "$schema.name": "CustomerCreated", "$schema.data-format": "Json", $traceId: "abc" };
  t.same(fromStoredMetadata(stored), metadata);
});

t.test("metadata written as JSON by a single-stream append is read as it is", async (t) => {
  t.equal(fromStoredMetadata(metadata), metadata);
  t.equal(fromStoredMetadata(null), null);
});
