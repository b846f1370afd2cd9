// A discharge coordinator orders aids for a citizen going home: types a wrong
// postal code, is told so in Danish with the typed values kept, corrects it, and
// sees the order with its "samkøres" hint when another order goes to the address.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startDepot, launchBrowser, newPage, login, visit } from './lib.mjs';

let depot;
let browser;
before(async () => { depot = await startDepot(); browser = await launchBrowser(); });
after(async () => { await browser?.close(); depot?.stop(); });

async function fillHospitalOrder(page, { postalCode }) {
  await page.getByLabel('CPR-nummer').fill('150343-1234');
  await page.getByLabel('Navn', { exact: true }).fill('Else Madsen');
  await page.getByLabel('Udskrivelsesdato').fill('2026-12-28');
  await page.getByLabel('Klokkeslæt').fill('10:00');
  await page.getByLabel('Vejnavn').fill('Jernbanegade');
  await page.getByLabel('Husnummer').fill('7');
  await page.getByLabel('Postnummer').fill(postalCode);
  await page.getByLabel('Kontakttelefon ved levering').fill('20 30 40 50');
  await page.getByLabel('Hjælpemiddel 1', { exact: true }).fill('12-06-06-01');
}

test('the coordinator orders for a discharge, corrects a wrong field and sees the merge hint', async () => {
  const page = await newPage(browser);
  await login(page, depot.base, 'coordinator');
  await page.goto(`${depot.base}/orders/new/hospital`);
  await visit(page, 'order-hospital-form');

  await fillHospitalOrder(page, { postalCode: '9999' });
  await page.getByRole('button', { name: 'Send bestilling' }).click();
  await page.getByText(/hører ikke til kommunen/).first().waitFor();
  assert.equal(await page.getByLabel('Vejnavn').inputValue(), 'Jernbanegade', 'typed values are kept');
  assert.equal(await page.getByLabel('Navn', { exact: true }).inputValue(), 'Else Madsen');
  await visit(page, 'order-hospital-form-errors');

  await page.getByLabel('Postnummer').fill('8900');
  await page.getByRole('button', { name: 'Send bestilling' }).click();
  await page.waitForURL(/\/orders\/\d+/);
  const firstOrder = page.url();
  await visit(page, 'order-confirmation');

  // A second order to the same home (written a little differently) is linked to the first.
  await page.goto(`${depot.base}/orders/new/hospital`);
  await fillHospitalOrder(page, { postalCode: '8900' });
  await page.getByLabel('Vejnavn').fill('jernbanegade');
  await page.getByLabel('Hjælpemiddel 1', { exact: true }).fill('09-33-03-01');
  await page.getByRole('button', { name: 'Send bestilling' }).click();
  await page.waitForURL(/\/orders\/\d+/);
  const firstId = /\/orders\/(\d+)/.exec(firstOrder)[1];
  await page.getByText(new RegExp(`[Ss]amkøres med ordre\\w* ${firstId}`)).first().waitFor();
  await visit(page, 'order-merged');

  await page.getByRole('link', { name: 'Bestillinger' }).first().click();
  await visit(page, 'orders-list-coordinator');
  assert.doesNotMatch(await page.content(), /150343-1234/, 'the list masks the CPR number');
});
