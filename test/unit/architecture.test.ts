/**
 * The import rules of .dependency-cruiser.cjs hold over the whole tree: no import circles, the
 * domain imports only the domain, commands never reach the HTTP layer or the read model,
 * adapters never import their callers, and nothing shipped imports the tests.
 */
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import t from "tap";

const run = promisify(execFile);

t.test("the import graph follows the architecture's rules", async (t) => {
  const cli = "node_modules/dependency-cruiser/bin/dependency-cruise.mjs";
  const result = await run(process.execPath, [cli, "shared", "services", "bench", "test", "--config", ".dependency-cruiser.cjs", "--output-type", "err"], {
    maxBuffer: 10 * 1024 * 1024,
  }).catch((error: { stdout: string; stderr: string; code: number }) => error);
  t.equal("code" in result ? result.code : 0, 0, `no rule is broken:\n${result.stdout}${result.stderr}`);
  t.match(result.stdout, /no dependency violations found \(\d+ modules/, "and the tree was cruised");
});
