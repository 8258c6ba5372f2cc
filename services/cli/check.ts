/**
 * `npm run check`: folds every customer and customer-group stream of the event store and
 * compares the result with the read model, both ways. Prints each difference and exits 1
 * when there is any, 0 when the read model is exactly what the event store makes.
 */
import { type CheckProgress, type ConvergenceReport, checkConvergence } from "../../shared/readmodel/convergence.js";
import type { CustomerReadModel } from "../../shared/readmodel/port.js";
import { openEmbeddedReadModel, openEventStore, openMongoReadModel, servingReadModelFile } from "../../shared/runtime/adapters.js";
import { exitWithUsage, loadCliSettings, parseCommandLine } from "../../shared/runtime/cli.js";
import { openKeyStore } from "../../shared/runtime/keys.js";
import { SealingEventStore } from "../../shared/eventstore/sealing.js";
import { silentLogger } from "../../shared/logger.js";

const usage = `Usage: npm run check -- [--show N] [--settle SECONDS]

Checks that the read model holds exactly what the event store makes: folds every
customer and customer-group stream with the same projection the projector applies,
compares each result with the read model's document, and looks for documents the
read model holds without a stream that makes them. Prints every difference; exits 1
when there is one, 0 when there is none. Run it with the same settings as the service.

  In cluster mode (KAFKA_BROKERS and MONGODB_URL set) it compares with the MongoDB
  read model the projectors keep. Writes may go on meanwhile: each difference is
  looked at again after --settle seconds, and only lasting ones are reported.

  In embedded mode it compares with the read model file the service keeps in DATA_DIR
  (readmodel.sqlite, or readmodel-g<N>.sqlite after a rebuild), whether the service
  is running or not; a service that is stopped brings that file up to date at its
  next start.

  --show N          print at most N differences in full (default 20; all are counted)
  --settle SECONDS  how long to wait before looking again at a difference (default 5)
  -h, --help        show this text

Examples:
  npm run check
  KAFKA_BROKERS=127.0.0.1:9092 MONGODB_URL=mongodb://127.0.0.1:27017 npm run check -- --show 100

Exit codes: 0 nothing differs, 1 differences found, 2 wrong options,
78 wrong settings, 69 the event store or the read model cannot be reached.`;

const values = parseCommandLine({ show: { type: "string" }, settle: { type: "string" } }, usage);
const show = Number(values.show ?? 20);
const settleSeconds = Number(values.settle ?? 5);
if (!Number.isInteger(show) || show < 0) exitWithUsage("--show must be a whole number of differences.", usage);
if (!Number.isFinite(settleSeconds) || settleSeconds < 0) exitWithUsage("--settle must be a number of seconds.", usage);

const settings = loadCliSettings();
const keys = await openKeyStore(settings, silentLogger);
// The read model holds personal fields opened: compare it with the events opened likewise.
const store = new SealingEventStore(openEventStore(settings), keys);
let readModel: CustomerReadModel | undefined;

/** One progress line every second or so, on stderr, so the report on stdout stays clean. */
let lastShown = 0;
function showProgress({ phase, done, total }: CheckProgress): void {
  if (Date.now() - lastShown < 1000) return;
  lastShown = Date.now();
  console.error(`${phase}: ${done.toLocaleString("en")}${total === undefined ? "" : ` of ${total.toLocaleString("en")}`}`);
}

function print(report: ConvergenceReport): void {
  const count = report.missing.length + report.different.length + report.extra.length;
  console.log(`${report.expected.toLocaleString("en")} customers and groups in the event store; ${count === 0 ? "the read model matches" : `${count} differ`}.`);
  let shown = 0;
  const line = (text: string) => {
    if (shown < show) console.log(text);
    shown += 1;
  };
  for (const id of report.missing) line(`missing: ${id} is in the event store but not in the read model`);
  for (const { id, expected, actual } of report.different) {
    // Field names only: the values are customers' personal data.
    const [want, have] = [expected, actual] as unknown as Array<Record<string, unknown>>;
    const fields = Object.keys({ ...want, ...have }).filter((key) => JSON.stringify(want![key]) !== JSON.stringify(have![key]));
    line(`different: ${id} (read model at revision ${actual.revision}, event store at ${expected.revision}) differs in ${fields.join(", ")}`);
  }
  for (const id of report.extra) line(`extra: ${id} is in the read model but no stream of the event store makes it`);
  if (shown > show) console.log(`... and ${shown - show} more (--show to see them).`);
}

try {
  if (settings.cluster) {
    readModel = await openMongoReadModel(settings.cluster);
  } else {
    console.error(`Embedded mode: checking the read model file (${servingReadModelFile(settings)}) against the event store...`);
    readModel = openEmbeddedReadModel(settings);
  }
  const report = await checkConvergence(store, readModel, { onProgress: showProgress, settleMs: settleSeconds * 1000 });
  print(report);
  process.exitCode = report.missing.length + report.different.length + report.extra.length === 0 ? 0 : 1;
} catch (error) {
  console.error(`The check could not run: ${(error as Error).message}`);
  process.exitCode = 69;
} finally {
  await readModel?.close();
  await store.close();
  await keys.close();
}
