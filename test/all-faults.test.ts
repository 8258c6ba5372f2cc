/**
 * The fault suites (test/faults), one after another in this one test file. Each fault runs
 * under load and alone (oneLoadAtATime.ts): given to the test runner as six files, two of
 * them took both of its places, one waiting for the other's lock, and held up every other
 * test for about 20 minutes. As one file they hold one place, and the other place runs the
 * rest meanwhile. Its name sorts it first, so that this longest chain starts at once.
 *
 * package.json excludes test/faults from the runner's own list; a suite still runs alone with
 * `npx tap test/faults/<name>.faults.test.ts`.
 */
import { readdirSync } from "node:fs";
import { join } from "node:path";
import t from "tap";

const FAULTS_DIR = join(import.meta.dirname, "faults");
const suites = readdirSync(FAULTS_DIR)
  .filter((name) => name.endsWith(".faults.test.ts"))
  .sort();

// Each suite sets its own time limit; this one covers them all.
t.setTimeout(90 * 60_000);
t.ok(suites.length >= 6, `${suites.length} fault suites found`);
for (const suite of suites) {
  // With the runner's loaders (TypeScript), as it starts a test file itself.
  t.spawn(process.execPath, [...process.execArgv, join(FAULTS_DIR, suite)], { name: `test/faults/${suite}`, timeout: 45 * 60_000 });
}
