/**
 * A real Chromium for the browser suites: Debian's package (`apt-get install chromium`; CI
 * installs it), or the one CHROMIUM_PATH names, driven by playwright-core (which downloads
 * no browser of its own). Each launch gets a fresh profile folder and keeps the browser from
 * reaching out on its own (no background networking, no component updates). A suite on a
 * machine without the browser is reported as skipped, with the reason.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type BrowserContext, chromium } from "playwright-core";
import type { Test } from "tap";

export const chromiumPath = process.env.CHROMIUM_PATH || "/usr/bin/chromium";

/** Where the suites keep their screenshots (ignored by git): `.artifacts/screenshots`. */
export const SCREENSHOTS = join(process.cwd(), ".artifacts", "screenshots");

export function requireBrowser(t: Test, suite: string): boolean {
  if (existsSync(chromiumPath)) return true;
  const reason = `${suite} SKIPPED: no Chromium at ${chromiumPath}; install Debian's (apt-get install chromium) or set CHROMIUM_PATH`;
  console.error(reason);
  t.test(suite, { skip: reason }, async () => {});
  return false;
}

/** A headless Chromium with a profile of its own, closed and its profile removed at `t`'s end. */
export async function launchBrowser(t: Test, viewport: { width: number; height: number }): Promise<BrowserContext> {
  const profile = mkdtempSync(join(tmpdir(), "customers-chromium-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: chromiumPath,
    headless: true,
    viewport,
    args: ["--no-sandbox", "--disable-background-networking", "--disable-component-update", "--disable-dev-shm-usage", "--no-first-run"],
  });
  t.teardown(async () => {
    await context.close();
    rmSync(profile, { recursive: true, force: true });
  });
  return context;
}

export function screenshotPath(name: string): string {
  mkdirSync(SCREENSHOTS, { recursive: true });
  return join(SCREENSHOTS, `${name}.png`);
}
