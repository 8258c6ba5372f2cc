/**
 * GET /ready on the embedded service: each dependency listed once, 200 from its first answer, without
 * authentication; GET /health answers as before.
 */
import t from "tap";
import { startTestService } from "../support/service.js";

t.test("embedded mode: ready once started, each dependency once", async (t) => {
  const service = await startTestService();
  t.teardown(() => service.stop());
  // The first answer already: the service samples its dependencies again once started, before
  // it listens (the samples taken while its parts started said "not running").
  const answer = await service.request("GET", "/ready", { token: false });
  t.equal(answer.status, 200, JSON.stringify(answer.json));
  t.equal(answer.json.status, "ready");
  const names = answer.json.dependencies.map((dependency: { name: string }) => dependency.name);
  t.same(names, ["event_store", "bus", "read_model", "projection_lag"]);
  for (const dependency of answer.json.dependencies) {
    t.equal(dependency.status, "ok", dependency.name);
    t.type(dependency.reason, "string");
  }
  const health = await service.request("GET", "/health", { token: false });
  t.equal(health.status, 200);
  t.same(health.json, { status: "ok" });
});
