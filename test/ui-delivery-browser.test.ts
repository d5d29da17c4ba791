/**
 * The delivery page in a real browser (Debian's Chromium): no console errors (the CSP would report
 * an inline script or style there), the period select swaps the figures in place, a drop asks
 * first and focuses the question, and at phone width the page does not scroll sideways.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { launchChromium, openWindow } from './helpers/browser.js';
import { ADMIN_TOKEN, postJson, type TestService } from './helpers/service.js';
import { drained, REFUSE_BAD_EVENT, startSyncFixture, type SyncFixture } from './helpers/sync-fixture.js';

const API_KEY = 'UI_DELIVERY_BROWSER_1';

let fixture: SyncFixture;
let service: TestService;
let browser: Browser;
let syncId: number;

/** A window that also records failed responses: no request of the pages may fail. */
async function watchedWindow(viewport: { width: number; height: number }) {
  const watched = await openWindow(browser, viewport);
  const failed: string[] = [];
  watched.page.on('response', (response) => {
    if (response.status() >= 400) failed.push(new URL(response.url()).pathname);
  });
  const problems = async () => {
    assert.deepEqual(failed, [], 'no request of the pages failed');
    return watched.problems;
  };
  return { ...watched, problems };
}

before(async () => {
  fixture = await startSyncFixture({ apiKey: API_KEY, syncName: 'Shop to Customer.io' });
  ({ service, syncId } = fixture);
  fixture.sim.setFaults({ scripted: [REFUSE_BAD_EVENT] });
  const events: Record<string, unknown>[] = [];
  for (let i = 0; i < 20; i++) events.push({ user_id: `browser-user-${i % 4}`, event_type: 'Order Placed', insert_id: `browser-order-${i}` });
  for (let i = 0; i < 2; i++) events.push({ user_id: `browser-bad-${i}`, event_type: 'Bad Event', insert_id: `browser-bad-${i}` });
  assert.equal((await postJson(`${service.url}/batch`, { api_key: API_KEY, events })).status, 200);
  await drained(service, syncId);
  fixture.sim.setFaults({});
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await fixture.dispose();
});

/** Signs in through the form and lands on the sync's delivery page. */
async function openDeliveryPage(page: Page): Promise<void> {
  await page.goto(`${service.url}/ui/sign-in?next=${encodeURIComponent(`/ui/syncs/${syncId}`)}`);
  await page.fill('#token', ADMIN_TOKEN);
  await page.click('button[type=submit]');
  await page.waitForURL(`**/ui/syncs/${syncId}`);
}

describe('the delivery page in a browser', () => {
  it('works with htmx under the CSP: the period swaps in place, a drop asks first, nothing logs an error', async () => {
    const watched = await watchedWindow({ width: 1280, height: 900 });
    const { page } = watched;
    await openDeliveryPage(page);
    assert.match((await page.locator('#delivery-metrics .card').first().textContent()) ?? '', /Delivered\s*20/);

    await page.focus('#period'); // as it is when a person changes it
    await page.selectOption('#period', 'FOUR_HOURS');
    await page.waitForURL(`**/ui/syncs/${syncId}?period=FOUR_HOURS`);
    await page.locator('#metrics-title', { hasText: 'Last 4 hours' }).waitFor();
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'period', 'the select keeps the focus after the swap');

    await page.check(`#dead-${(await page.locator('input[name=ids]').first().getAttribute('value')) ?? ''}`);
    await page.click('button:has-text("Drop selected…")');
    await page.locator('#dead-letters-title', { hasText: /^Drop 1 dead letter/ }).waitFor();
    // htmx focuses [autofocus] once the new content has settled
    await page.waitForFunction(() => document.activeElement?.id === 'dead-letters-title', undefined, { timeout: 5000 });
    await page.click('button:has-text("Drop it")');
    await page.locator('#dead-letters .notice', { hasText: 'Dropped 1.' }).waitFor();
    assert.equal(await page.locator('input[name=ids]').count(), 1);
    assert.deepEqual(await watched.problems(), []);
    await watched.context.close();
  });

  it('reads at phone width without the page scrolling sideways', async () => {
    const watched = await watchedWindow({ width: 360, height: 740 });
    const { page } = watched;
    await openDeliveryPage(page);
    const widths = await page.evaluate(() => ({ page: document.documentElement.scrollWidth, window: window.innerWidth }));
    assert.ok(widths.page <= widths.window, JSON.stringify(widths));
    const chart = await page.locator('#chart-delivered svg').boundingBox();
    assert.ok(chart !== null && chart.width <= 360 && chart.width > 250, JSON.stringify(chart));
    await page.fill('#trace-insert-id', 'browser-bad-1');
    await page.press('#trace-insert-id', 'Enter');
    await page.locator('#trace-results h3', { hasText: 'Bad Event' }).waitFor();
    assert.deepEqual(await watched.problems(), []);
    await watched.context.close();
  });
});
