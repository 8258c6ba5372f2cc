import { setTimeout as sleep } from "node:timers/promises";
import t from "tap";
import { reportCatchUp } from "../../shared/runtime/catchUpProgress.js";

function recordingLogger() {
  const lines: Array<{ fields: Record<string, unknown>; message?: string }> = [];
  const record = (fields: object, message?: string) => void lines.push({ fields: fields as Record<string, unknown>, message });
  return { lines, logger: { info: record, debug: record, warn: record, error: record } };
}

t.test("a long catch-up says how far it has come until it stops", async (t) => {
  const { lines, logger } = recordingLogger();
  const report = reportCatchUp(logger, { generation: 0, from: "100", head: "300" }, 30);
  report.projected(50, "150");
  await sleep(45);
  report.projected(100, "250");
  await sleep(30);
  report.stop();
  const count = lines.length;
  report.projected(50, "300");
  await sleep(70);
  t.ok(count >= 2, `a line per interval (${count})`);
  t.equal(lines.length, count, "nothing once stopped");
  t.match(lines[0], { message: /catching up with the event store/, fields: { head_position: "300", position: "150", events: 50, percent: 25 } });
  t.match(lines.at(-1), { fields: { position: "250", events: 150, percent: 75 } }, "counted from where the read model stood");
  t.ok(lines.every(({ fields }) => fields.eta_seconds === null || typeof fields.eta_seconds === "number"));
});

t.test("a catch-up shorter than the interval says nothing", async (t) => {
  const { lines, logger } = recordingLogger();
  const report = reportCatchUp(logger, { generation: 0, from: undefined, head: "10" }, 50);
  report.projected(10, "10");
  report.stop();
  await sleep(80);
  t.same(lines, []);
});
