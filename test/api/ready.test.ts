/**
 * GET /ready on the embedded service: each dependency listed once, 200 once started, without
 * authentication; GET /health answers as before.
 */
import t from "tap";
import { startTestService } from "../support/service.js";

t.test("embedded mode: ready once started, each dependency once", async (t) => {
  const service = await startTestService();
  t.teardown(() => service.stop());
  let answer = await service.request("GET", "/ready", { token: false });
  // The first samples are taken as the service starts; give them a moment on a busy machine.
  for (let tries = 0; answer.status !== 200 && tries < 50; tries++) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    answer = await service.request("GET", "/ready", { token: false });
  }
  t.equal(answer.status, 200);
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
