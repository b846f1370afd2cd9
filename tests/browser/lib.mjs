// Shared by the browser scenarios: a real `depot serve --demo` on a free port
// with a fresh SQLite database, Debian's chromium driven by playwright-core,
// axe-core for accessibility, and screenshots at desktop and phone width.
import { spawn } from 'node:child_process';
import { mkdtempSync, mkdirSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import assert from 'node:assert/strict';
import { chromium } from 'playwright-core';

const require = createRequire(import.meta.url);
const here = dirname(fileURLToPath(import.meta.url));
export const root = join(here, '..', '..');
export const PASSWORD = 'demo-adgang-2026';
export const USERS = {
  admin: 'admin@depot.invalid',
  depot: 'depot@depot.invalid',
  coordinator: 'koordinator@depot.invalid',
  therapist: 'terapeut.nord@depot.invalid',
  visitator: 'visitator@depot.invalid',
  driver: 'chauffoer@depot.invalid',
};
export const DESKTOP = { width: 1280, height: 900 };
export const PHONE = { width: 390, height: 844 };
const SHOTS = process.env.DEPOT_SCREENSHOTS ?? join(root, 'screenshots');
const AXE = require.resolve('axe-core/axe.min.js');

function depotBinary() {
  const target = process.env.CARGO_TARGET_DIR ?? join(root, 'target');
  const bin = join(target, 'debug', 'depot');
  assert.ok(existsSync(bin), `depot binary missing at ${bin}: build it first (cargo build)`);
  return bin;
}

/** Starts `depot serve --demo` with a fresh database; resolves to { base, stop }. */
export async function startDepot() {
  const dir = mkdtempSync(join(tmpdir(), 'depot-browser-'));
  const child = spawn(depotBinary(), ['serve', '--demo'], {
    env: {
      ...process.env,
      DATABASE_URL: `sqlite://${join(dir, 'depot.db')}?mode=rwc`,
      DEPOT_BIND: '127.0.0.1:0',
      DEPOT_MAIL: `file:${join(dir, 'mail')}`,
      DEPOT_LOG: 'info',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const base = await new Promise((resolve, reject) => {
    let log = '';
    const timer = setTimeout(() => reject(new Error(`depot did not start:\n${log}`)), 60_000);
    child.stderr.on('data', (chunk) => {
      log += chunk;
      const m = /listening on (\S+)/.exec(log);
      if (m) { clearTimeout(timer); resolve(`http://${m[1]}`); }
    });
    child.on('exit', (code) => reject(new Error(`depot exited with ${code}:\n${log}`)));
  });
  return { base, mailDir: join(dir, 'mail'), stop: () => child.kill('SIGTERM') };
}

/** Launches Debian's chromium headless; a missing browser is a failure, not a skip. */
export async function launchBrowser() {
  const executablePath = process.env.CHROMIUM ?? '/usr/bin/chromium';
  assert.ok(existsSync(executablePath), `chromium not found at ${executablePath}`);
  return chromium.launch({
    executablePath,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

/** A fresh browser context (own cookies) at the given viewport. */
export async function newPage(browser, viewport = DESKTOP) {
  // bypassCSP only so axe can be injected; the app's own pages never need it.
  const context = await browser.newContext({ viewport, locale: 'da-DK', bypassCSP: true });
  return context.newPage();
}

export async function login(page, base, role) {
  await page.goto(`${base}/login`);
  await page.getByLabel('E-mailadresse').fill(USERS[role]);
  await page.getByLabel('Adgangskode').fill(PASSWORD);
  await page.getByRole('button', { name: 'Log ind' }).click();
  await page.waitForURL(`${base}/`);
}

/** Runs axe (WCAG 2.0/2.1 A and AA) on the current page and fails on any violation. */
export async function checkA11y(page, label) {
  await page.addScriptTag({ path: AXE });
  const result = await page.evaluate(async () =>
    // eslint-disable-next-line no-undef
    axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } }));
  const problems = result.violations.map((v) =>
    `${v.id} (${v.impact}): ${v.help}\n    ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join('\n    ')}`);
  assert.deepEqual(problems, [], `axe found WCAG A/AA violations on ${label} (${page.url()}):\n${problems.join('\n')}`);
  const lang = await page.getAttribute('html', 'lang');
  assert.equal(lang, 'da', `${label} must have lang="da"`);
}

/** Saves a screenshot of the page at desktop and phone width (not committed). */
export async function screenshots(page, name) {
  mkdirSync(SHOTS, { recursive: true });
  const original = page.viewportSize();
  for (const [suffix, viewport] of [['desktop', DESKTOP], ['phone', PHONE]]) {
    await page.setViewportSize(viewport);
    await page.screenshot({ path: join(SHOTS, `${name}-${suffix}.png`), fullPage: true });
  }
  await page.setViewportSize(original);
}

/** Checks the page for accessibility and takes its screenshots. */
export async function visit(page, name) {
  await checkA11y(page, name);
  await screenshots(page, name);
}
