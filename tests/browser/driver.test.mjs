// Delivery runs end to end: the depot plans tomorrow, gives run 1 to the demo
// driver and sends it out; the driver, on a phone, completes the run — one stop
// while the phone is offline, sent when the connection is back.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startDepot, launchBrowser, newPage, login, visit, PHONE } from './lib.mjs';

let depot;
let browser;
before(async () => { depot = await startDepot(); browser = await launchBrowser(); });
after(async () => { await browser?.close(); depot?.stop(); });

/** Tomorrow in Copenhagen, YYYY-MM-DD (the demo's orders start tomorrow). */
function tomorrow() {
  return new Intl.DateTimeFormat('sv-SE', { timeZone: 'Europe/Copenhagen' })
    .format(new Date(Date.now() + 24 * 3600 * 1000));
}

test('the depot plans a day, the driver completes the run on a phone, also offline', async () => {
  const date = tomorrow();
  const desk = await newPage(browser);
  await login(desk, depot.base, 'depot');
  await desk.getByRole('link', { name: 'Kørsler' }).first().click();
  await desk.goto(`${depot.base}/planning?date=${date}`);
  assert.match(await desk.locator('#plan-hint').innerText(), /Planlægningen af \d+ stop tager ca\. (1 sekund|\d+ sekunder);/);
  // The progress bar lives only until the answer replaces the page: note in
  // sessionStorage (which survives the navigation) that it showed and moved.
  await desk.evaluate(() => {
    const box = document.getElementById('plan-progress');
    new MutationObserver(() => {
      if (box.hidden) { return; }
      const value = Number(document.getElementById('plan-bar').value);
      sessionStorage.setItem('planProgress', String(Math.max(value, Number(sessionStorage.getItem('planProgress') || 0))));
    }).observe(box, { attributes: true, subtree: true });
  });
  await desk.getByRole('button', { name: 'Planlæg dagen' }).click();
  await desk.waitForURL(/planlagt=1/);
  const progress = await desk.evaluate(() => sessionStorage.getItem('planProgress'));
  assert.ok(progress !== null && Number(progress) > 0, `the progress bar showed and moved (${progress})`);
  await desk.getByText(/Kørsler sparet ved samkørsel/).waitFor();
  assert.ok(await desk.locator('svg[role="img"]').count() >= 1, 'the schematic map is drawn');
  await visit(desk, 'planning');
  await desk.getByLabel('Chauffør').first().selectOption({ label: 'Carsten Chauffør' });
  await desk.getByRole('button', { name: 'Tildel' }).first().click();
  await desk.getByRole('button', { name: 'Send kørsel 1 ud' }).click();
  await desk.getByText('Sendt ud').first().waitFor();
  const sheetLink = desk.getByRole('link', { name: 'Køreseddel' }).first();
  await sheetLink.click();
  await desk.getByRole('heading', { level: 1, name: /Køreseddel/ }).waitFor();
  await visit(desk, 'run-sheet');
  await desk.goto(`${depot.base}/planning/stats`);
  await desk.getByRole('heading', { level: 1, name: 'Statistik for kørsler' }).waitFor();
  await visit(desk, 'planning-stats');
  await desk.goto(`${depot.base}/vehicles`);
  await desk.getByRole('heading', { level: 1, name: 'Biler' }).waitFor();
  await visit(desk, 'vehicles');

  const phone = await newPage(browser, PHONE);
  const context = phone.context();
  await login(phone, depot.base, 'driver');
  await phone.getByRole('link', { name: 'Dagens kørsel' }).first().click();
  await phone.waitForURL(`${depot.base}/driver`);
  // The run is tomorrow's: the page links to it.
  await phone.getByRole('link', { name: new RegExp(date.split('-').reverse().join('.')) }).click();
  await phone.waitForURL(/\/driver\?date=/);
  // Let the service worker take over and keep a copy of the page.
  await phone.evaluate(async () => { await navigator.serviceWorker.ready; });
  await phone.reload();
  await phone.waitForFunction(() => navigator.serviceWorker.controller !== null);
  await phone.reload();
  const cards = phone.locator('li.stop-card');
  const count = await cards.count();
  assert.ok(count >= 2, `the run has at least two stops (${count})`);
  await visit(phone, 'driver-run');

  // A tap target is at least 48 px high.
  const box = await cards.first().getByRole('button', { name: 'Leveret' }).boundingBox();
  assert.ok(box.height >= 48, `the Leveret button is ${box.height}px high`);

  // Stop 1 online.
  const first = cards.nth(0);
  await first.getByLabel('Modtaget af (navn)').fill('Karen Jensen');
  await first.getByRole('button', { name: 'Leveret' }).click();
  await first.getByText(/sendt/).waitFor();

  // Stop 2 offline: kept on the phone, shown as saved, still there after a reload.
  await context.setOffline(true);
  const second = cards.nth(1);
  await second.getByLabel('Modtaget af (navn)').fill('Ole Hansen');
  await second.getByRole('button', { name: 'Leveret' }).click();
  await second.getByText(/Gemt – sendes når der er forbindelse/).waitFor();
  await phone.reload();
  await phone.locator('li.stop-card').nth(1).getByText(/Gemt – sendes når der er forbindelse/).waitFor();
  await screenshotsOffline(phone);

  // Back online: the queue is sent.
  await context.setOffline(false);
  await phone.locator('li.stop-card').nth(1).getByText(/sendt/).waitFor({ timeout: 15_000 });
  await phone.getByText('Alle meldinger er sendt.').waitFor();

  // The rest: one not delivered, the others delivered.
  for (let i = 2; i < count; i += 1) {
    const card = phone.locator('li.stop-card').nth(i);
    if (i === 2) {
      await card.getByText('Ikke leveret …').click();
      await card.getByLabel('Årsag').selectOption('not_home');
      await card.getByLabel('Bemærkning til bestilleren', { exact: true }).fill('Ingen hjemme kl. 11');
      await card.getByRole('button', { name: 'Meld ikke leveret' }).click();
    } else {
      await card.getByLabel('Modtaget af (navn)').fill('Pårørende');
      await card.getByRole('button', { name: 'Leveret' }).click();
    }
    await card.getByText(/sendt/).waitFor();
  }

  // The server has it all: reload from the network shows every stop completed.
  await phone.reload();
  await phone.getByText(/0 af \d+ stop tilbage/).waitFor();
  assert.equal(await phone.locator('li.stop-card form.stop-form').count(), 0, 'no open stops left');
  const delivered = await phone.locator('li.stop-card.stop-done').count();
  assert.ok(delivered >= 2);
  await phone.getByText('Modtaget af Ole Hansen').waitFor();
  await visit(phone, 'driver-done');

  // The depot sees the failed stop's orders back among the unplanned.
  if (count > 2) {
    await desk.goto(`${depot.base}/planning?date=${date}`);
    const unplanned = await desk.getByRole('heading', { name: /Ikke planlagte ordrer/ }).textContent();
    assert.doesNotMatch(unplanned, /\(0\)/);
  }
});

async function screenshotsOffline(page) {
  // Only the phone shot here: visit() would switch viewports and need axe from disk.
  await page.screenshot({ path: `${process.env.DEPOT_SCREENSHOTS ?? '/tmp'}/driver-offline-phone.png`, fullPage: true }).catch(() => undefined);
}
