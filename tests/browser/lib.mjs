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

// Keyboard helpers: the walkthroughs in keyboard.test.mjs use only page.keyboard.

/** A short description of the focused element, for assertions and messages. */
export async function focusedElement(page) {
  return page.evaluate(() => {
    const el = document.activeElement;
    if (!el || el === document.body || el === document.documentElement) return null;
    const text = (el.getAttribute('aria-label') ?? el.textContent ?? '').trim().replace(/\s+/g, ' ').slice(0, 60);
    return { tag: el.tagName.toLowerCase(), id: el.id, name: el.getAttribute('name') ?? '', type: el.getAttribute('type') ?? '', text,
      href: el.getAttribute('href') ?? '', value: el.value ?? '', checked: Boolean(el.checked) };
  });
}

/** Presses Tab (Shift+Tab with back) until the focused element matches the CSS selector. */
export async function tabTo(page, selector, { back = false, max = 250 } = {}) {
  for (let i = 0; i < max; i += 1) {
    if (await page.evaluate((s) => document.activeElement?.matches(s) ?? false, selector)) return;
    await page.keyboard.press(back ? 'Shift+Tab' : 'Tab');
  }
  assert.fail(`${selector} was not reached with ${max} presses of ${back ? 'Shift+Tab' : 'Tab'} on ${page.url()}`);
}

/** Types into the focused field after selecting what it holds. */
export async function retype(page, text) {
  await page.keyboard.press('ControlOrMeta+A');
  await page.keyboard.type(text);
}

/** Logs in with the keyboard only: Tab to the fields, type, Enter. */
export async function loginByKeyboard(page, base, role) {
  await page.goto(`${base}/login`);
  await tabTo(page, '#email');
  await page.keyboard.type(USERS[role]);
  await page.keyboard.press('Tab');
  assert.equal((await focusedElement(page))?.id, 'password', 'Tab goes from the e-mail to the password');
  await page.keyboard.type(PASSWORD);
  await page.keyboard.press('Enter');
  await page.waitForURL(`${base}/`);
}

/** Moves the sequential focus starting point to the top of the page (no focus ring shown). */
export async function focusFromTop(page) {
  await page.evaluate(() => {
    document.getElementById('keyboard-test-start')?.remove();
    const start = document.createElement('span');
    start.tabIndex = -1;
    start.id = 'keyboard-test-start';
    document.body.prepend(start);
    start.focus();
    window.scrollTo(0, 0);
  });
}

/**
 * Counts the pixels that differ between two PNG screenshots of the same box with a
 * WCAG contrast ratio of at least 3:1 (the unfocused pixel against the focused one).
 * Decoded in the page: no image library needed.
 */
async function contrastingPixels(page, focusedPng, blurredPng) {
  return page.evaluate(async ([a, b]) => {
    const decode = async (b64) => {
      const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
      const bitmap = await createImageBitmap(new Blob([bytes], { type: 'image/png' }));
      const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
      const ctx = canvas.getContext('2d');
      ctx.drawImage(bitmap, 0, 0);
      return ctx.getImageData(0, 0, bitmap.width, bitmap.height).data;
    };
    const [x, y] = await Promise.all([decode(a), decode(b)]);
    const channel = (v) => { const s = v / 255; return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4; };
    const luminance = (d, i) => 0.2126 * channel(d[i]) + 0.7152 * channel(d[i + 1]) + 0.0722 * channel(d[i + 2]);
    let count = 0;
    for (let i = 0; i < Math.min(x.length, y.length); i += 4) {
      const l1 = luminance(x, i);
      const l2 = luminance(y, i);
      if ((Math.max(l1, l2) + 0.05) / (Math.min(l1, l2) + 0.05) >= 3) count += 1;
    }
    return count;
  }, [focusedPng.toString('base64'), blurredPng.toString('base64')]);
}

/** Pixels a focus indicator must change at 3:1 at least: a 1px ring around a 24px target. */
const MIN_FOCUS_PIXELS = 100;

/**
 * Tabs through the page from the top and checks every focusable element (up to cap):
 * it is on screen when focused, its focus is visibly indicated (a screenshot of its
 * padded box focused and blurred differs in at least MIN_FOCUS_PIXELS pixels at
 * 3:1 contrast), and Tab always moves on and finally leaves the page or wraps to
 * the first element (no keyboard trap). Returns the elements in focus order.
 */
export async function checkFocusVisible(page, label, { cap = 80 } = {}) {
  await focusFromTop(page);
  const order = [];
  const problems = [];
  let wrapped = false;
  let repeats = 0;
  for (let step = 0; step < 2000; step += 1) {
    await page.keyboard.press('Tab');
    const state = await page.evaluate(() => {
      document.getElementById('keyboard-test-start')?.remove();
      const el = document.activeElement;
      if (!el || el === document.body || el === document.documentElement) return { none: true };
      // Identity without touching the DOM: a number per element, kept on window.
      window.keyboardTestIds ??= new WeakMap();
      if (!window.keyboardTestIds.has(el)) {
        window.keyboardTestNext = (window.keyboardTestNext ?? 0) + 1;
        window.keyboardTestIds.set(el, window.keyboardTestNext);
      }
      window.keyboardTestCurrent = el;
      const r = el.getBoundingClientRect();
      const style = getComputedStyle(el);
      const text = (el.getAttribute('aria-label') ?? el.textContent ?? el.getAttribute('name') ?? '').trim().replace(/\s+/g, ' ').slice(0, 50);
      return {
        key: window.keyboardTestIds.get(el),
        what: `<${el.tagName.toLowerCase()}${el.id ? ` id="${el.id}"` : ''}${el.getAttribute('href') ? ` href="${el.getAttribute('href')}"` : ''}> ${text}`,
        box: { x: r.x, y: r.y, width: r.width, height: r.height },
        hidden: style.visibility === 'hidden' || style.display === 'none',
        segmented: el.matches('input[type="date"], input[type="time"], input[type="datetime-local"], input[type="month"], input[type="week"]'),
        viewport: { width: window.innerWidth, height: window.innerHeight },
      };
    });
    if (state.none) { wrapped = order.length > 0; break; }
    if (order.length > 0 && state.key === order[0].key) { wrapped = true; break; }
    const previous = order.findIndex((o) => o.key === state.key);
    if (previous === order.length - 1 && previous >= 0) {
      // Chromium's date and time fields take one Tab per part (day, month, year).
      repeats += 1;
      if (state.segmented && repeats < 4) continue;
      problems.push(`focus stuck on ${state.what}`);
      break;
    }
    repeats = 0;
    if (previous >= 0) { problems.push(`keyboard trap: Tab went back from ${order.at(-1).what} to ${state.what}`); break; }
    order.push({ key: state.key, what: state.what });
    if (order.length > cap) continue;

    const { box, viewport } = state;
    const onScreen = box.width > 0 && box.height > 0 && box.x + box.width > 0 && box.y + box.height > 0
      && box.x < viewport.width && box.y < viewport.height && !state.hidden;
    if (!onScreen) { problems.push(`not visible when focused: ${state.what} ${JSON.stringify(box)}`); continue; }
    const pad = 8;
    const x = Math.max(0, Math.floor(box.x - pad));
    const y = Math.max(0, Math.floor(box.y - pad));
    const clip = { x, y,
      width: Math.min(viewport.width, Math.ceil(box.x + box.width + pad)) - x,
      height: Math.min(viewport.height, Math.ceil(box.y + box.height + pad)) - y };
    const shot = () => page.screenshot({ clip, animations: 'disabled', caret: 'hide' });
    const focusedPng = await shot();
    await page.evaluate(() => window.keyboardTestCurrent.blur());
    const blurredPng = await shot();
    await page.evaluate(() => window.keyboardTestCurrent.focus());
    const changed = await contrastingPixels(page, focusedPng, blurredPng);
    if (changed < MIN_FOCUS_PIXELS) problems.push(`focus not visibly indicated (${changed} px change at 3:1): ${state.what}`);
  }
  if (!wrapped && problems.length === 0) problems.push(`Tab did not come back round after ${order.length} elements`);
  assert.deepEqual(problems, [], `keyboard focus on ${label} (${page.url()}):\n${problems.join('\n')}`);
  return order.map((o) => o.what);
}

// Chromium orders a date field's parts (and picks 12 or 24 hours) by the browser's
// UI language, not the page's: Debian's chromium without chromium-l10n says en-US.
// Found once per browser by typing into a scratch page, so the tests type the way
// the field expects wherever they run.
const fieldFormats = new WeakMap();
async function fieldFormat(page) {
  const browser = page.context().browser();
  if (fieldFormats.has(browser)) return fieldFormats.get(browser);
  const scratch = await browser.newPage();
  const typed = async (kind, keys) => {
    await scratch.setContent(`<input type="${kind}" id="f">`);
    await scratch.keyboard.press('Tab');
    await scratch.keyboard.type(keys);
    return scratch.evaluate(() => document.getElementById('f').value);
  };
  let order = null;
  for (const [candidate, keys] of [['dmy', '01022003'], ['mdy', '02012003'], ['ymd', '2003-0201']]) {
    if (await typed('date', keys) === '2003-02-01') { order = candidate; break; }
  }
  // Without an AM/PM part the time is complete after the minutes.
  const hours24 = await typed('time', '1000') === '10:00';
  await scratch.close();
  assert.ok(order, 'the order of the date field\'s parts could not be found');
  const format = { order, hours24 };
  fieldFormats.set(browser, format);
  return format;
}

/** Types an ISO date (YYYY-MM-DD) into the focused date field, part by part. */
export async function typeDate(page, iso) {
  const { order } = await fieldFormat(page);
  const [y, m, d] = iso.split('-');
  // Two digits fill a day or month and move on; the year takes up to six, so a separator ends it.
  const parts = { d, m, y: `${y}-` };
  await page.keyboard.type([...order].map((p) => parts[p]).join(''));
}

/** Types a time (HH:MM, 24 hours) into the focused time field. */
export async function typeTime(page, hhmm) {
  const { hours24 } = await fieldFormat(page);
  const [h, m] = hhmm.split(':').map(Number);
  if (hours24) { await page.keyboard.type(`${String(h).padStart(2, '0')}${String(m).padStart(2, '0')}`); return; }
  const h12 = h % 12 === 0 ? 12 : h % 12;
  await page.keyboard.type(`${String(h12).padStart(2, '0')}${String(m).padStart(2, '0')}${h < 12 ? 'A' : 'P'}`);
}
