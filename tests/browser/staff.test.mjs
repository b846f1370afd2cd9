// Each staff role logs in by typing and clicking, and sees its own Danish start page.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startDepot, launchBrowser, newPage, login, visit, USERS, PASSWORD } from './lib.mjs';

let depot;
let browser;
before(async () => { depot = await startDepot(); browser = await launchBrowser(); });
after(async () => { await browser?.close(); depot?.stop(); });

test('the login page is accessible and a wrong password gets a calm Danish message', async () => {
  const page = await newPage(browser);
  await page.goto(`${depot.base}/login`);
  await visit(page, 'login');
  await page.getByLabel('E-mailadresse').fill(USERS.depot);
  await page.getByLabel('Adgangskode').fill('forkert-forkert');
  await page.getByRole('button', { name: 'Log ind' }).click();
  await page.getByText('E-mailadressen eller adgangskoden er forkert').waitFor();
  assert.equal(await page.getByLabel('E-mailadresse').inputValue(), USERS.depot, 'the e-mail typed is kept');
  await visit(page, 'login-error');
  await page.getByLabel('Adgangskode').fill(PASSWORD);
  await page.getByRole('button', { name: 'Log ind' }).click();
  await page.waitForURL(`${depot.base}/`);
});

const startPages = {
  admin: 'Depotets overblik',
  depot: 'Depotets overblik',
  coordinator: 'Bestilling fra sygehus',
  therapist: 'Terapeutens forside',
  visitator: 'Kvik Service',
  driver: 'Dagens kørsel',
};

for (const [role, heading] of Object.entries(startPages)) {
  test(`the ${role} logs in and sees the start page "${heading}"`, async () => {
    const page = await newPage(browser);
    await login(page, depot.base, role);
    assert.equal(await page.getByRole('heading', { level: 1 }).first().textContent(), heading);
    await visit(page, `start-${role}`);
    await page.getByRole('button', { name: 'Log ud' }).click();
    await page.waitForURL(`${depot.base}/login`);
  });
}

test('the depot worker finds a citizen by name and opens the record', async () => {
  const page = await newPage(browser);
  await login(page, depot.base, 'depot');
  await page.getByRole('link', { name: 'Borgere' }).first().click();
  await visit(page, 'citizens-search');
  await page.getByLabel(/navn|CPR/i).first().fill('Jensen');
  await page.getByRole('button', { name: /Søg/ }).click();
  const first = page.locator('main a[href^="/citizens/"]').filter({ hasNotText: /Opret/ }).first();
  await first.waitFor();
  assert.doesNotMatch(page.url(), /\d{6}-?\d{4}/, 'no CPR in the URL');
  await visit(page, 'citizens-results');
  await first.click();
  await page.getByRole('heading', { level: 1 }).waitFor();
  await visit(page, 'citizen-record');
});
