/**
 * What GET /ready concludes from its dependencies' probes, and how it answers: 503 naming what
 * is unusable, 200 once everything is.
 */
import Fastify from "fastify";
import t from "tap";
import { projectionLagProbe } from "../../shared/health/dependencyProbes.js";
import { type ProbeResult, watchReadiness } from "../../shared/health/readiness.js";
import readinessRoute from "../../shared/http/readinessRoute.js";

const settle = () => new Promise((resolve) => setTimeout(resolve, 40));

t.test("GET /ready: 503 naming the unusable dependency, 200 once it is usable again", async (t) => {
  let readModel: ProbeResult | Error = new Error("The read model is closed");
  const readiness = watchReadiness(
    {
      event_store: async () => ({ usable: true, reason: "the log's head was read" }),
      read_model: async () => {
        if (readModel instanceof Error) throw readModel;
        return readModel;
      },
    },
    { sampleEveryMs: 5 },
  );
  t.teardown(() => readiness.stop());
  const app = Fastify();
  await app.register(readinessRoute, { readiness: readiness.check });
  t.teardown(() => app.close());
  await settle();

  const down = await app.inject({ method: "GET", url: "/ready" });
  t.equal(down.statusCode, 503);
  t.same(down.json(), {
    status: "not_ready",
    dependencies: [
      { name: "event_store", status: "ok", reason: "the log's head was read" },
      { name: "read_model", status: "unavailable", reason: "The read model is closed" },
    ],
  });

  readModel = { usable: true, reason: "answered a read" };
  await settle();
  const up = await app.inject({ method: "GET", url: "/ready" });
  t.equal(up.statusCode, 200);
  t.equal(up.json().status, "ready");
  t.same(up.json().dependencies.map((d: { status: string }) => d.status), ["ok", "ok"]);
});

t.test("a probe that has not answered yet, or answers too late, counts as unusable", async (t) => {
  const readiness = watchReadiness({ bus: () => new Promise<ProbeResult>(() => undefined) }, { sampleEveryMs: 20 });
  t.teardown(() => readiness.stop());
  t.same(readiness.check().dependencies, [{ name: "bus", status: "unavailable", reason: "not checked yet" }]);
  await new Promise((resolve) => setTimeout(resolve, 60));
  t.match(readiness.check(), { status: "not_ready", dependencies: [{ name: "bus", status: "unavailable", reason: /no answer within 20 ms/ }] });
});

t.test("without a readiness check the service is ready", async (t) => {
  const app = Fastify();
  await app.register(readinessRoute, {});
  t.teardown(() => app.close());
  const answer = await app.inject({ method: "GET", url: "/ready" });
  t.equal(answer.statusCode, 200);
  t.same(answer.json(), { status: "ready", dependencies: [] });
});

t.test("projection lag: behind is fine while it moves; stalled past the limit is unusable", async (t) => {
  let now = 0;
  let state = { marker: "1", behind: 5 as number };
  const probe = projectionLagProbe(async () => state, 20_000, () => now);
  t.same(await probe(), { usable: true, reason: "5 messages behind" });
  now = 10_000;
  state = { marker: "2", behind: 3 };
  t.same(await probe(), { usable: true, reason: "3 messages behind" });
  now = 31_000;
  t.same(await probe(), { usable: false, reason: "3 messages behind with no progress for 21 s" });
  state = { marker: "3", behind: 0 };
  t.same(await probe(), { usable: true, reason: "caught up" });
});

t.test("sampleNow: a fresh sample at once, whatever the interval, and the timer does not double", async (t) => {
  let samples = 0;
  let state: ProbeResult = { usable: false, reason: "still starting" };
  const readiness = watchReadiness(
    {
      bus: async () => {
        samples++;
        return state;
      },
    },
    { sampleEveryMs: 40 },
  );
  t.teardown(() => readiness.stop());
  await readiness.sampleNow();
  t.equal(readiness.check().status, "not_ready");
  state = { usable: true, reason: "running" };
  // Two asked for at once, while the timer runs too: each resolves after a sample of its own.
  await Promise.all([readiness.sampleNow(), readiness.sampleNow()]);
  t.same(readiness.check(), { status: "ready", dependencies: [{ name: "bus", status: "ok", reason: "running" }] });
  const before = samples;
  await new Promise((resolve) => setTimeout(resolve, 400));
  // One sample per interval from then on (10 in 400 ms), not one chain per sampleNow.
  t.ok(samples - before <= 12, `${samples - before} samples in 400 ms at one per 40 ms`);
  readiness.stop();
  const stopped = samples;
  await readiness.sampleNow();
  await new Promise((resolve) => setTimeout(resolve, 100));
  t.equal(samples, stopped, "nothing sampled once stopped");
});
