/**
 * Contract fuzzing in the test run: test/fuzz/run.sh drives schemathesis against the embedded
 * service's /openapi.json with every check (no server error, every status and answer as
 * documented, no valid request refused, no invalid one accepted, deleted things gone). Skipped,
 * and said so, when schemathesis is not installed (`test/fuzz/run.sh install`; CI installs it).
 */
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import t from "tap";

const installed = existsSync(".cache/fuzz-venv/bin/st");
const MIN_CASES = 2000;

if (!installed) {
  const reason = "Contract fuzzing SKIPPED: run `test/fuzz/run.sh install` to install schemathesis (CI does)";
  console.error(reason);
  t.test("contract fuzzing", { skip: reason }, async () => {});
} else {
  t.setTimeout(10 * 60_000);
  t.test(`schemathesis finds nothing in at least ${MIN_CASES} cases`, async (t) => {
    const { code, output } = await new Promise<{ code: number; output: string }>((resolve) =>
      execFile("test/fuzz/run.sh", [], { maxBuffer: 64 * 1024 * 1024, env: { ...process.env, FUZZ_EXAMPLES: process.env.FUZZ_EXAMPLES ?? "60" } }, (error, stdout, stderr) =>
        resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, output: `${stdout}${stderr}` }),
      ),
    );
    const summary = /Test cases:\s+(\d+) generated, ([^\n]*)/.exec(output);
    const generated = Number(summary?.[1] ?? 0);
    const seed = /Seed: (\d+)/.exec(output)?.[1];
    console.error(`fuzz: ${summary ? `${generated} cases generated, ${(summary[2] ?? "").trim()}` : "no summary"}${seed ? ` (FUZZ_SEED=${seed})` : ""}`);
    t.equal(code, 0, code === 0 ? "no failure" : failureReport(output));
    t.ok(generated >= MIN_CASES, `at least ${MIN_CASES} cases ran (${generated})`);
    t.match(summary?.[2] ?? "", new RegExp(`^${generated} passed`), "every case passed");
  });
}

/**
 * What a failed run found, without the progress bars: schemathesis's FAILURES section (each
 * failure with the curl command that repeats it), the lines run.sh adds after it (a service
 * error or death), and the seed that repeats the whole run.
 */
function failureReport(output: string): string {
  const plain = output.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, "").replace(/\r/g, "\n");
  const failures = /={5,} FAILURES ={5,}\n([\s\S]*?)(?=\n={5,} (?:WARNINGS|SUMMARY) ={5,})/.exec(plain)?.[1];
  const afterSummary = plain.slice(plain.lastIndexOf("Seed:"));
  return [failures?.trim() ?? "(no FAILURES section)", afterSummary.trim()].join("\n\n").slice(0, 20_000);
}
