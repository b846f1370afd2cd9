// A therapist works through the area's overdue loans: extends one, orders
// collection of another, and prints a loan slip.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startDepot, launchBrowser, newPage, login, visit } from './lib.mjs';

let depot;
let browser;
before(async () => { depot = await startDepot(); browser = await launchBrowser(); });
after(async () => { await browser?.close(); depot?.stop(); });

test('the therapist extends one overdue loan, requests collection of another and prints a slip', async () => {
  const page = await newPage(browser);
  await login(page, depot.base, 'therapist');
  await page.getByRole('link', { name: 'Lån', exact: true }).first().click();
  await page.waitForURL(/\/loans/);
  await visit(page, 'loans-therapist');

  const overdueRows = page.locator('tr.row-overdue');
  const before = await overdueRows.count();
  assert.ok(before >= 2, `the demo area has overdue loans (${before})`);

  const first = overdueRows.first();
  const extendedName = (await first.locator('td').nth(1).textContent()).trim();
  await page.getByLabel('Ny slutdato ved forlængelse').fill('2027-03-01');
  await page.getByLabel('Begrundelse').fill('Ny vurdering aftalt med borgeren');
  await first.getByRole('button', { name: /^Forlæng/ }).click();
  await page.locator('.alert-success').waitFor();
  assert.equal(await page.locator('tr.row-overdue').count(), before - 1, 'the extended loan leaves the overdue list');

  const next = page.locator('tr.row-overdue').first();
  const collectedName = (await next.locator('td').nth(1).textContent()).trim();
  assert.notEqual(collectedName, '');
  await next.getByRole('button', { name: /^Afhent/ }).click();
  await page.locator('.alert-success').waitFor();
  assert.match(await page.locator('.alert-success').textContent(), /fhent/);
  await visit(page, 'loans-after-actions');
  assert.ok(extendedName.length > 0);

  await page.getByRole('link', { name: 'Seddel' }).first().click();
  await page.waitForURL(/\/loans\/slip\//);
  const slip = await page.content();
  assert.match(slip, /§ ?140/);
  assert.match(slip, /89 ?15/, 'the area therapists\' phone number is on the slip');
  await visit(page, 'loan-slip');
  await page.emulateMedia({ media: 'print' });
  const pdf = await page.pdf({ format: 'A4', printBackground: true });
  const pages = (pdf.toString('latin1').match(/\/Type\s*\/Page[^s]/g) ?? []).length;
  assert.equal(pages, 1, 'the slip prints on one A4 page');
});

test('the therapist orders a care bed, forgets the delivery date, and corrects it', async () => {
  const page = await newPage(browser);
  await login(page, depot.base, 'therapist');
  await page.goto(`${depot.base}/orders/new/therapist`);
  await visit(page, 'order-therapist-form');
  await page.getByLabel('CPR-nummer').fill('020245-2468');
  await page.getByLabel('Navn', { exact: true }).fill('Hans Holm');
  await page.getByLabel('Vejnavn').fill('Tøjhushaven');
  await page.getByLabel('Husnummer').fill('4');
  await page.getByLabel('Postnummer').fill('8930');
  await page.getByLabel('Kontakttelefon ved levering').fill('40 50 60 70');
  await page.getByLabel('Hjælpemiddel 1', { exact: true }).fill('18-12-10-01');
  await page.getByRole('button', { name: 'Send bestilling' }).click();
  const error = page.locator('#deliver_by-error');
  await error.waitFor();
  assert.match(await error.textContent(), /[Dd]ato/);
  assert.equal(await page.getByLabel('Vejnavn').inputValue(), 'Tøjhushaven', 'typed values are kept');
  await visit(page, 'order-therapist-form-errors');
  await page.getByLabel('Ønsket leveringsdato').fill('2026-12-30');
  await page.getByRole('button', { name: 'Send bestilling' }).click();
  await page.waitForURL(/\/orders\/\d+/);
  await visit(page, 'order-therapist-confirmation');
});
