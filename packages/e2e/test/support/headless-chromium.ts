/**
 * Headless Chromium for the tests that look at a page as a person would: Debian's `chromium`
 * (which .ci/run installs; never a downloaded browser), headless, without a sandbox (CI runs as
 * root), with none of Chromium's own network traffic (updates, sync, background fetches) and a
 * fresh profile. One-shot runs (`--dump-dom`, `--screenshot`) call the binary; a page to click
 * in is driven by playwright-core over the same binary and flags.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { promisify } from 'node:util';
import { chromium, type Browser } from 'playwright-core';

const execFileAsync = promisify(execFile);

export const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';

/** Chromium as the tests run it, apart from headless mode and the profile (each launcher sets those its own way). */
const QUIET_FLAGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
] as const;

/** Fails the suite early, with the fix, when Chromium is not installed. */
export function requireChromium(): void {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: install Debian's chromium (apt-get install chromium; .ci/run does)`);
}

/** One headless run of the binary (`--dump-dom URL`, `--screenshot=FILE URL`…) in the profile `userDataDir`; resolves with its stdout. */
export async function runChromium(userDataDir: string, args: readonly string[], timeoutMs = 120_000): Promise<string> {
  const { stdout } = await execFileAsync(CHROMIUM, ['--headless', ...QUIET_FLAGS, `--user-data-dir=${userDataDir}`, ...args], {
    maxBuffer: 64 * 1024 * 1024,
    timeout: timeoutMs,
  });
  return stdout;
}

/** The same binary and flags driven by playwright-core (headless, a temporary profile of its own): for pages to click in. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: [...QUIET_FLAGS] });
}
