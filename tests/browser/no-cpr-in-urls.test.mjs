// No CPR number in any URL the UI produces. Each staff role crawls every page it can
// reach by links from its start page; every request the browser makes (pages,
// scripts, fetches) and every link and form target on those pages is checked for
// anything shaped like a CPR number. A depot worker also searches for a citizen by
// CPR number and opens the record, the one place a CPR number is typed in.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startDepot, launchBrowser, newPage, login } from './lib.mjs';

// DDMMYY, an optional dash, then four digits or (newer numbers) letters and digits.
const CPR_SHAPED = /(?<![0-9A-Za-z])\d{6}-?[0-9A-Za-z]{4}(?![0-9A-Za-z])/;
const MAX_PAGES = 80;

let depot;
let browser;
before(async () => { depot = await startDepot(); browser = await launchBrowser(); });
after(async () => { await browser?.close(); depot?.stop(); });

/** Links worth following: same origin, GET pages, nothing that changes state or downloads. */
function followable(url, base) {
  if (!url.startsWith(base)) return false;
  const path = new URL(url).pathname;
  return !/^\/(logout|static|driver\/sw\.js|api\/)/.test(path) && !/\.(csv|ics|pdf)$/.test(path);
}

async function crawl(page, base, seen) {
  const queue = [`${base}/`];
  const queued = new Set(queue);
  let pages = 0;
  while (queue.length && pages < MAX_PAGES) {
    const url = queue.shift();
    const response = await page.goto(url);
    pages += 1;
    if (!response || !(response.headers()['content-type'] ?? '').includes('text/html')) continue;
    seen.add(page.url());
    // Links are followed; form targets (POST) are only checked.
    const links = await page.$$eval('a[href]', (nodes) => nodes.map((n) => n.href));
    const actions = await page.$$eval('form[action]', (nodes) =>
      // getAttribute: a form with a field named "action" shadows form.action.
      nodes.map((n) => new URL(n.getAttribute('action') ?? '', document.baseURI).href));
    actions.forEach((a) => seen.add(a));
    for (const link of links) {
      seen.add(link);
      const clean = link.split('#')[0];
      if (followable(clean, base) && !queued.has(clean)) { queued.add(clean); queue.push(clean); }
    }
  }
  return pages;
}

function assertNoCpr(urls, who) {
  const bad = [...urls].filter((u) => CPR_SHAPED.test(decodeURIComponent(u)));
  assert.deepEqual(bad, [], `${who}: URLs with something shaped like a CPR number`);
}

for (const role of ['admin', 'depot', 'coordinator', 'therapist', 'visitator', 'driver']) {
  test(`no URL reached by the ${role} carries a CPR number`, async (t) => {
    const page = await newPage(browser);
    const seen = new Set();
    page.on('request', (request) => seen.add(request.url()));
    await login(page, depot.base, role);
    const pages = await crawl(page, depot.base, seen);
    assert.ok(pages >= 2, `the ${role} reached only ${pages} pages`);
    assertNoCpr(seen, role);
    t.diagnostic(`${role}: ${pages} pages crawled, ${seen.size} URLs checked`);
    await page.close();
  });
}

test('searching by CPR number and opening the record keeps the number out of every URL', async () => {
  const page = await newPage(browser);
  const seen = new Set();
  page.on('request', (request) => seen.add(request.url()));
  page.on('framenavigated', (frame) => seen.add(frame.url()));
  await login(page, depot.base, 'depot');
  // Open any citizen record to learn a real CPR number from the page itself.
  await page.goto(`${depot.base}/citizens`);
  await page.getByLabel('CPR-nummer eller navn').fill('sen');
  await page.getByRole('button', { name: /Søg/ }).click();
  await page.locator('main table a[href^="/citizens/"]').first().click();
  const body = await page.locator('main').innerText();
  const cpr = CPR_SHAPED.exec(body)?.[0];
  assert.ok(cpr, 'the full record shows the CPR number');

  await page.goto(`${depot.base}/citizens`);
  await page.getByLabel('CPR-nummer eller navn').fill(cpr);
  await page.getByRole('button', { name: /Søg/ }).click();
  await page.locator('main table a[href^="/citizens/"]').first().click();
  assert.ok((await page.locator('main').innerText()).includes(cpr), 'the search found the citizen');
  assertNoCpr(seen, 'depot searching by CPR');
  await page.close();
});
