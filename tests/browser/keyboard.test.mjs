// Keyboard only: a citizen books and cancels a Kvik time, a coordinator orders for a
// discharge (through an error first), a driver on a phone marks a stop delivered and
// a therapist extends an overdue loan — with Tab, Shift+Tab, Enter, Space, arrow keys
// and typing, never the mouse. On every page passed, each focusable element is
// checked for a visible focus indicator and the Tab order for traps
// (checkFocusVisible in lib.mjs).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startDepot, launchBrowser, newPage, login, visit, PHONE,
  focusedElement, focusFromTop, tabTo, retype, typeDate, typeTime, loginByKeyboard, checkFocusVisible,
} from './lib.mjs';

let depot;
let browser;
before(async () => { depot = await startDepot(); browser = await launchBrowser(); });
after(async () => { await browser?.close(); depot?.stop(); });

/** Tomorrow in Copenhagen, YYYY-MM-DD (the demo's orders start tomorrow). */
function tomorrow() {
  return new Intl.DateTimeFormat('sv-SE', { timeZone: 'Europe/Copenhagen' })
    .format(new Date(Date.now() + 24 * 3600 * 1000));
}

/** The skip link comes first and Enter on it puts focus in <main>, so Tab continues there. */
async function checkSkipLink(page) {
  await focusFromTop(page);
  await page.keyboard.press('Tab');
  const first = await focusedElement(page);
  await page.evaluate(() => document.getElementById('keyboard-test-start')?.remove());
  assert.equal(first?.href, '#main', 'the first focusable element is the skip link');
  assert.equal(first?.text, 'Gå til indhold');
  await page.keyboard.press('Enter');
  assert.equal((await focusedElement(page))?.id, 'main', 'Enter on the skip link moves focus to the main content');
  await page.keyboard.press('Tab');
  assert.ok(await page.evaluate(() => document.querySelector('main').contains(document.activeElement)),
    'the next Tab lands inside the main content');
}

test('keyboard: a citizen books a Kvik time and cancels it', async () => {
  const page = await newPage(browser);
  await page.goto(`${depot.base}/kvik`);
  await checkFocusVisible(page, 'kvik booking page');
  await checkSkipLink(page);

  // Day: the first day link, followed with Enter.
  await tabTo(page, '.kvik-days a');
  await page.keyboard.press('Enter');
  await page.waitForURL(/\/kvik\?day=/);
  await page.locator('input[name="slot_start"]').first().waitFor();
  await checkFocusVisible(page, 'kvik times');

  // Time: Tab into the radio group, the down arrow picks the second time.
  await tabTo(page, 'input[name="slot_start"]');
  await page.keyboard.press('ArrowDown');
  const time = await focusedElement(page);
  assert.equal(time.id, 'time-2', 'the arrow key moves to the next time');
  assert.ok(time.checked, 'the arrow key selects the time');

  // Name, phone, one aid with Space, and what the visit is about.
  await page.keyboard.press('Tab');
  assert.equal((await focusedElement(page))?.id, 'name', 'Tab leaves the times for the name');
  await page.keyboard.type('Karen Jensen');
  await page.keyboard.press('Tab');
  await page.keyboard.type('86 12 34 56');
  await tabTo(page, 'input[name="aids"]');
  await page.keyboard.press('Space');
  assert.ok((await focusedElement(page)).checked, 'Space ticks the aid');
  await tabTo(page, '#need');
  await page.keyboard.type('Svært ved at gå');
  await tabTo(page, 'button[type="submit"]');
  await page.keyboard.press('Enter');
  await page.getByRole('heading', { name: 'Din tid er booket' }).waitFor();
  await checkFocusVisible(page, 'kvik confirmation');

  // Cancel with Space on the button.
  await tabTo(page, 'form[action$="/cancel"] button');
  await page.keyboard.press('Space');
  await page.getByRole('heading', { name: 'Din tid er aflyst' }).waitFor();
  await checkFocusVisible(page, 'kvik cancelled');
});

test('keyboard: a coordinator logs in, meets an error, follows its link to the field and sends the order', async () => {
  const page = await newPage(browser);
  await page.goto(`${depot.base}/login`);
  await checkFocusVisible(page, 'login');
  await loginByKeyboard(page, depot.base, 'coordinator');
  await checkFocusVisible(page, 'coordinator start page');
  await checkSkipLink(page);

  await tabTo(page, 'nav a[href="/orders/new/hospital"]');
  await page.keyboard.press('Enter');
  await page.waitForURL(/\/orders\/new\/hospital$/);
  await checkFocusVisible(page, 'hospital order form');

  // Every field by Tab and typing; the postal code is outside the municipality.
  await tabTo(page, '[id="citizen.cpr"]');
  await page.keyboard.type('150343-1234');
  await page.keyboard.press('Tab');
  await page.keyboard.type('Else Madsen');
  await tabTo(page, '#discharge_date');
  await typeDate(page, '2026-12-28');
  assert.equal(await page.locator('#discharge_date').inputValue(), '2026-12-28', 'the date is typed digit by digit');
  await tabTo(page, '#discharge_time', { max: 5 });
  await typeTime(page, '10:00');
  assert.equal(await page.locator('#discharge_time').inputValue(), '10:00');
  await tabTo(page, '[id="address.street"]');
  await page.keyboard.type('Jernbanegade');
  await page.keyboard.press('Tab');
  await page.keyboard.type('7');
  await tabTo(page, '[id="address.postal_code"]');
  await page.keyboard.type('9999');
  await tabTo(page, '#contact_phone');
  await page.keyboard.type('20 30 40 50');
  await tabTo(page, '[id="lines[0].product_code"]');
  await page.keyboard.type('12-06-06-01');
  await tabTo(page, 'button[type="submit"]');
  await page.keyboard.press('Enter');
  await page.getByText(/hører ikke til kommunen/).first().waitFor();

  // The error summary has focus, and its link moves focus to the field.
  assert.ok(await page.evaluate(() => document.activeElement?.matches('.alert-error') ?? false),
    'the error summary has focus when the page comes back');
  await tabTo(page, '.alert-error a[href="#address.postal_code"]', { max: 10 });
  await page.keyboard.press('Enter');
  assert.equal((await focusedElement(page))?.id, 'address.postal_code', 'the error link puts focus in the field');
  await checkFocusVisible(page, 'hospital order form with errors');
  await tabTo(page, '[id="address.postal_code"]');
  await retype(page, '8900');
  await tabTo(page, 'button[type="submit"]');
  await page.keyboard.press('Enter');
  await page.waitForURL(/\/orders\/\d+\?/);
  await checkFocusVisible(page, 'order confirmation');
});

test('keyboard: a driver on a phone marks a stop delivered', async () => {
  // The depot plans tomorrow and sends run 1 to the demo driver (set-up, not under test).
  const date = tomorrow();
  const desk = await newPage(browser);
  await login(desk, depot.base, 'depot');
  await desk.goto(`${depot.base}/planning?date=${date}`);
  await desk.getByRole('button', { name: 'Planlæg dagen' }).click();
  await desk.waitForURL(/planlagt=1/);
  await desk.getByLabel('Chauffør').first().selectOption({ label: 'Carsten Chauffør' });
  await desk.getByRole('button', { name: 'Tildel' }).first().click();
  await desk.getByRole('button', { name: 'Send kørsel 1 ud' }).click();
  await desk.getByText('Sendt ud').first().waitFor();
  await desk.context().close();

  const phone = await newPage(browser, PHONE);
  await loginByKeyboard(phone, depot.base, 'driver');
  await checkFocusVisible(phone, 'driver start page (phone)');
  await tabTo(phone, 'a[href="/driver"]');
  await phone.keyboard.press('Enter');
  await phone.waitForURL(`${depot.base}/driver`);
  await tabTo(phone, `a[href*="date=${date}"]`);
  await phone.keyboard.press('Enter');
  await phone.waitForURL(/\/driver\?date=/);
  await phone.locator('li.stop-card').first().waitFor();
  await checkFocusVisible(phone, 'driver run (phone)');

  const card = phone.locator('li.stop-card').first();
  const stopId = await card.getAttribute('data-stop-id');
  await tabTo(phone, `#receiver_name-${stopId}`);
  await phone.keyboard.type('Karen Jensen');
  await tabTo(phone, `#stop-${stopId} form.stop-form button[type="submit"]`);
  await phone.keyboard.press('Enter');
  await card.getByText(/sendt/).waitFor();
  // The form is gone; focus stays on the stop, not lost to the page top.
  assert.ok(await phone.evaluate((id) => document.getElementById(`stop-${id}`).contains(document.activeElement), stopId),
    'focus stays on the completed stop');
  await phone.keyboard.press('Tab');
  assert.ok(await phone.evaluate((id) => !document.getElementById(`stop-${id}`).contains(document.activeElement)
    && document.querySelector('main').contains(document.activeElement), stopId),
  'the next Tab goes on to the next stop');
  await checkFocusVisible(phone, 'driver run after a delivery (phone)');
});

test('keyboard: a therapist extends a loan from the overdue list', async () => {
  const page = await newPage(browser);
  await loginByKeyboard(page, depot.base, 'therapist');
  await checkSkipLink(page);
  await tabTo(page, 'nav a[href="/loans"]');
  await page.keyboard.press('Enter');
  await page.waitForURL(/\/loans/);
  await checkFocusVisible(page, 'overdue loans');
  const overdue = page.locator('tr.row-overdue');
  const before = await overdue.count();
  assert.ok(before >= 1, 'the demo area has overdue loans');
  const loanId = (await overdue.first().locator('button[value^="extend:"]').getAttribute('value')).split(':')[1];

  await tabTo(page, '#until');
  await typeDate(page, '2027-03-01');
  assert.equal(await page.locator('#until').inputValue(), '2027-03-01');
  // The date field's calendar button may take one Tab before the next field.
  await tabTo(page, '#reason', { max: 3 });
  await page.keyboard.type('Ny vurdering aftalt med borgeren');
  await tabTo(page, `button[value="extend:${loanId}"]`);
  await page.keyboard.press('Enter');
  await page.locator('.alert-success').waitFor();
  assert.equal(await page.locator('tr.row-overdue').count(), before - 1, 'the extended loan leaves the overdue list');
  await checkFocusVisible(page, 'overdue loans after extending');
  await visit(page, 'loans-after-keyboard');
});
