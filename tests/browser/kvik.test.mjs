// Kvik Service in a real browser: a citizen books a time on the public page
// (no login, no JavaScript needed) and cancels it; a visitator registers a
// walk-in and records an outcome; every page passes axe (WCAG 2.1 A/AA).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startDepot, launchBrowser, newPage, login, visit, PHONE } from './lib.mjs';

// visit() checks each page with axe and screenshots it at desktop and phone width;
// the booking is also clicked through at phone width.

let depot;
let browser;
before(async () => { depot = await startDepot(); browser = await launchBrowser(); });
after(async () => { await browser?.close(); depot?.stop(); });

for (const [label, viewport] of [['desktop', undefined], ['phone', PHONE]]) {
  test(`a citizen books a time and cancels it on the public page (${label})`, async () => {
    const page = await newPage(browser, viewport);
    await page.goto(`${depot.base}/kvik`);
    await visit(page, `kvik-public-${label}`);
    await page.locator('.kvik-days a').first().click();
    await page.locator('input[name="slot_start"]').first().waitFor();
    // A wrong phone number gets a message next to the field; nothing is booked.
    await page.locator('input[name="slot_start"]').first().check();
    await page.getByLabel('Dit navn').fill('Karen Jensen');
    await page.getByLabel('Telefonnummer').fill('12');
    await page.getByRole('button', { name: 'Book tiden' }).click();
    await page.getByText('Ret følgende, før du booker').waitFor();
    await visit(page, `kvik-public-errors-${label}`);
    await page.getByLabel('Telefonnummer').fill('86 12 34 56');
    await page.getByLabel('Rollator').check();
    await page.getByLabel('Fortæl kort, hvad du har brug for').fill('Svært ved at gå');
    await page.getByRole('button', { name: 'Book tiden' }).click();
    await page.getByRole('heading', { name: 'Din tid er booket' }).waitFor();
    await visit(page, `kvik-confirmation-${label}`);
    await page.getByRole('button', { name: 'Aflys min tid' }).click();
    await page.getByRole('heading', { name: 'Din tid er aflyst' }).waitFor();
    await visit(page, `kvik-cancelled-${label}`);
  });
}

test('a visitator registers a walk-in and records advice in the queue', async () => {
  const page = await newPage(browser);
  await login(page, depot.base, 'visitator');
  // The self-refresh is switched off so axe sees a page that stands still.
  await page.goto(`${depot.base}/kvik/queue`);
  await visit(page, 'kvik-queue');
  await page.getByLabel('Navn', { exact: true }).fill('Ole Hansen');
  await page.getByRole('button', { name: 'Registrér', exact: true }).click();
  await page.getByRole('cell', { name: 'Ole Hansen', exact: true }).waitFor();
  await page.getByRole('link', { name: 'Registrér udfald for Ole Hansen' }).click();
  await visit(page, 'kvik-outcome');
  await page.getByLabel('Kun rådgivning').check();
  await page.getByRole('button', { name: 'Gem udfald' }).click();
  await page.getByText('Kun rådgivning').first().waitFor();
  await page.goto(`${depot.base}/kvik/stats`);
  await visit(page, 'kvik-stats');
});

test('depot staff see the opening hours', async () => {
  const page = await newPage(browser);
  await login(page, depot.base, 'depot');
  await page.goto(`${depot.base}/kvik/admin`);
  assert.equal(await page.getByRole('heading', { level: 1 }).textContent(), 'Kvik Service – åbningstider');
  await visit(page, 'kvik-admin');
});

test('a visitator hands out a rollator to a walk-in and the loan appears on the citizen', async () => {
  const page = await newPage(browser);
  await login(page, depot.base, 'visitator');
  // Find a known citizen and read the CPR number from the record, as the visitator would from the health card.
  await page.goto(`${depot.base}/citizens`);
  await page.getByLabel(/navn|CPR/i).first().fill('Jensen');
  await page.getByRole('button', { name: /Søg/ }).click();
  await page.locator('main a[href^="/citizens/"]').filter({ hasNotText: /Opret/ }).first().click();
  const record = page.url();
  const cpr = (await page.locator('#cpr').textContent()).trim();
  const loansBefore = await page.locator('#loans tr').count();

  await page.goto(`${depot.base}/kvik/queue`);
  await page.getByLabel('Navn', { exact: true }).fill('Walk-in med rollator');
  await page.getByRole('button', { name: 'Registrér', exact: true }).click();
  await page.getByRole('link', { name: 'Registrér udfald for Walk-in med rollator' }).click();
  // Take the first rollator model the depot has in stock (the demo lends many out).
  const outcomePage = page.url();
  const models = await page.getByLabel('Hjælpemiddel', { exact: true }).locator('option', { hasText: 'Rollator' }).evaluateAll(
    (options) => options.map((o) => ({ value: o.value, name: o.textContent.trim() })));
  let handedOut = null;
  for (const model of models) {
    await page.goto(outcomePage);
    await page.getByLabel('Hjælpemiddel udleveret').check();
    await page.getByLabel('CPR-nummer').fill(cpr);
    await page.getByLabel('Hjælpemiddel', { exact: true }).selectOption(model.value);
    await page.getByRole('button', { name: 'Gem udfald' }).click();
    await page.waitForLoadState();
    if (/\/kvik\/queue/.test(page.url())) { handedOut = model.name.replace(/ \(.*\)$/, ''); break; }
    assert.match(await page.locator('main').innerText(), /ingen ledige enheder/, 'only a lack of stock may stop the hand-out');
  }
  assert.ok(handedOut, 'a rollator was handed out');

  await page.goto(record);
  await page.locator('#loans').getByText(handedOut).first().waitFor();
  assert.ok(await page.locator('#loans tr').count() > loansBefore, 'a new loan is listed on the citizen');
  await visit(page, 'citizen-with-kvik-loan');
});
