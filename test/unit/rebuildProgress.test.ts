/**
 * A rebuild's progress as GET /admin/projections and `npm run rebuild` show it: the share of
 * the log read, the rate over the last seconds and the time left; and the line drawn from it.
 */
import t from "tap";
import { RebuildProgress } from "../../shared/readmodel/rebuildProgress.js";
import { duration, progressLine } from "../../shared/runtime/progressLine.js";

t.test("given a rebuild to position 1000, when batches come, then the share, the rate and the time left follow", async (t) => {
  const progress = new RebuildProgress(2, "1000", 0);
  t.match(progress.view(0), { generation: 2, state: "building", events: 0, progress: 0, eta_seconds: null, position: null, head_position: "1000" });
  progress.projected(100, "200", 1_000);
  progress.projected(100, "400", 2_000);
  t.match(progress.view(2_000), { events: 200, events_per_second: 100, position: "400", progress: 0.4, eta_seconds: 3 }, "600 positions left at 200 a second");
  progress.switching();
  t.match(progress.view(2_500), { state: "switching", eta_seconds: 0, progress: 1 });
  progress.done(3_000);
  t.match(progress.view(9_000), { state: "done", finished_at: new Date(3_000).toISOString(), error: null });
});

t.test("the rate is the last seconds', not the whole run's", async (t) => {
  const progress = new RebuildProgress(1, "100000", 0);
  progress.projected(10, "10", 1_000);
  for (let second = 20; second <= 30; second++) progress.projected(1_000, String(second * 1000), second * 1_000);
  t.ok(progress.view(30_000).events_per_second >= 900, `about 1,000 a second lately (${progress.view(30_000).events_per_second})`);
});

t.test("KurrentDB's commit/prepare positions count by their commit position; an empty log is done at once", async (t) => {
  const progress = new RebuildProgress(1, "5000/4990", 0);
  progress.projected(10, "2500/2490", 1_000);
  t.equal(progress.view(1_000).progress, 0.5);
  t.match(new RebuildProgress(1, undefined, 0).view(0), { progress: 1, eta_seconds: 0 });
  // A PostgreSQL log: positions are <transaction id>/<position>, and the first transaction id need not be small.
  const late = new RebuildProgress(1, "5000200/900", 0, "5000001/1");
  t.equal(late.view(0).progress, 0, "nothing read yet is no progress, however large the first transaction id");
  late.projected(450, "5000100/450", 1_000);
  t.equal(late.view(1_000).progress, 0.5, "half of the span from the first event to the head");
  t.equal(late.view(1_000).eta_seconds, 1, "100 transaction ids left at 100 a second");
});

t.test("a failure says why", async (t) => {
  const progress = new RebuildProgress(1, "10", 0);
  progress.failed(new Error("disk full"), 5);
  t.match(progress.view(6), { state: "failed", error: "disk full", finished_at: new Date(5).toISOString() });
});

t.test("the progress line: a bar, the share, the counts, the rate and the time left", async (t) => {
  t.equal(
    progressLine({ fraction: 0.5, done: 12_345, unit: "events", perSecond: 2_000.4, etaSeconds: 125, detail: "position 5 of 10" }),
    "[###############...............]   50%  12,345 events  2,000/s  ETA 2 min 05 s  position 5 of 10",
  );
  t.match(progressLine({ fraction: 7, done: 0, unit: "events", perSecond: 0, etaSeconds: null }), /^\[#{30}\]\s+100%.*ETA \?$/);
  t.same([duration(0), duration(59.6), duration(3_600 * 2 + 600)], ["0 s", "1 min 00 s", "2 h 10 min"]);
});
