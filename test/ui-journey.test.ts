/**
 * The web UI end to end, in Debian's Chromium, as a person uses it: from an empty server (with the
 * in-process simulator) to events delivered, only through the pages. Sign in, create a project,
 * create a sync, send events with the official SDK, see them delivered; break the credentials and
 * see the sync paused with the reason; fix them and see the backlog drain; replay a dead-lettered
 * event. Every page is screenshotted (docs/ui.md shows them: `npm run ui:screenshots`), at desktop
 * and at phone width, and no page logs a console error or fails a request.
 */
import assert from 'node:assert/strict';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createInstance, Identify } from '@amplitude/analytics-node';
import type { Browser, Page } from 'playwright-core';
import { launchChromium, openWindow, screenshot, screenshotDir, type WatchedWindow } from './helpers/browser.js';
import { ADMIN_TOKEN, startTestService, type TestService } from './helpers/service.js';

const SHOTS = screenshotDir(join(tmpdir(), 'ampstream-ui-journey'));

let service: TestService;
let browser: Browser;
let desktop: WatchedWindow;
const failedRequests: string[] = [];

/** Reloads `path` until the page's main text matches, as a person pressing reload would. */
async function reloadUntil(page: Page, path: string, pattern: RegExp, what: string, timeoutMs = 20_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    await page.goto(`${service.url}${path}`);
    const text = (await page.locator('main').innerText()).replace(/\s+/g, ' ');
    if (pattern.test(text)) return text;
    if (Date.now() > deadline) assert.fail(`${what}: ${pattern} not on ${path} after ${timeoutMs} ms; the page says: ${text.slice(0, 1500)}`);
    await page.waitForTimeout(250);
  }
}

/** The number a figure card shows (`Delivered 12`). */
async function figure(page: Page, label: string): Promise<number> {
  const text = await page.locator('#delivery-metrics .card', { hasText: label }).first().innerText();
  return Number(/([\d,]+)/.exec(text.replace(label, ''))?.[1]?.replace(/,/g, '') ?? Number.NaN);
}

async function sendWithSdk(apiKey: string, send: (amplitude: ReturnType<typeof createInstance>) => void): Promise<void> {
  const amplitude = createInstance();
  await amplitude.init(apiKey, { serverUrl: `${service.url}/2/httpapi`, flushIntervalMillis: 50, logLevel: 0 }).promise;
  send(amplitude);
  await amplitude.flush().promise;
}

/** A window at phone width, signed in. */
async function signedInPhone(): Promise<WatchedWindow> {
  const phone = await openWindow(browser, { width: 390, height: 844 });
  await phone.page.goto(`${service.url}/ui/sign-in`);
  await phone.page.fill('#token', ADMIN_TOKEN);
  await phone.page.keyboard.press('Enter');
  await phone.page.waitForURL('**/ui/projects');
  return phone;
}

/** What shows `text` (the innermost elements holding it) and reaches past the window's right edge. */
async function pastTheEdge(page: Page, text: string): Promise<string[]> {
  return page.evaluate((needle) => {
    const holders = Array.from(document.querySelectorAll('main *')).filter(
      (element) => element.textContent?.includes(needle) && !Array.from(element.children).some((child) => child.textContent?.includes(needle)),
    );
    return holders.filter((element) => element.getBoundingClientRect().right > window.innerWidth).map((element) => element.tagName.toLowerCase());
  }, text);
}

/** Whether the page scrolls sideways (it must not, at any width). */
async function scrollsSideways(page: Page): Promise<boolean> {
  return page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth);
}

let apiKey = '';
let syncPath = '';

before(async () => {
  service = await startTestService({
    env: { AMPSTREAM_SIMULATOR: 'on', AMPSTREAM_SIMULATOR_PORT: '0', AMPSTREAM_BATCH_WAIT_MS: '5', AMPSTREAM_PAUSE_PROBE_MS: '200' },
  });
  browser = await launchChromium();
  desktop = await openWindow(browser, { width: 1280, height: 900 });
  desktop.page.on('response', (response) => {
    if (response.status() >= 500) failedRequests.push(`${response.status()} ${response.url()}`);
  });
});

after(async () => {
  await browser?.close();
  await service?.dispose();
});

describe('the web UI, from an empty server to events in Customer.io', () => {
  it('signs in with the keyboard', async () => {
    const { page } = desktop;
    await page.goto(`${service.url}/`);
    await page.waitForURL('**/ui/sign-in?next=*');
    await screenshot(page, SHOTS, '01-sign-in');
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'token', 'the token field has the focus');
    await page.keyboard.type('not the token');
    await page.keyboard.press('Enter');
    await page.locator('.notice-error', { hasText: 'That is not the admin token.' }).waitFor();
    // the refusal is a 401 page, which Chromium reports as a failed load: that one is expected
    assert.deepEqual(desktop.problems.splice(0), [`console: Failed to load resource: the server responded with a status of 401 (Unauthorized) (${service.url}/ui/sign-in)`]);
    await page.fill('#token', ADMIN_TOKEN);
    await page.keyboard.press('Enter');
    await page.waitForURL('**/ui/syncs');
    assert.match(await page.locator('main').innerText(), /No syncs yet/);
  });

  it('creates a project and shows its key once, with the ingest URL', async () => {
    const { page } = desktop;
    await page.getByRole('link', { name: 'Projects' }).click();
    await page.getByLabel('Name', { exact: true }).fill('Web shop');
    await page.getByRole('button', { name: 'Create project' }).click();
    await page.locator('#new-api-key').waitFor();
    apiKey = await page.inputValue('#new-api-key');
    assert.match(apiKey, /^\S{16,}$/);
    assert.equal(await page.inputValue('#ingest-url'), `${service.url}/2/httpapi`);
    await screenshot(page, SHOTS, '02-projects');
  });

  it('creates a sync in the editor: credentials tested, identifier, what to send', async () => {
    const { page } = desktop;
    await page.getByRole('link', { name: 'create a sync' }).click();
    await page.waitForURL('**/ui/syncs/new?project=*');
    await page.getByLabel('Sync name').fill('Web shop to Customer.io');
    await page.getByLabel('Site ID').fill('sim-site-us');
    await page.getByLabel('API key').fill('sim-key-us');
    await page.getByLabel('Account region').selectOption('us');
    await page.getByRole('button', { name: 'Test connection' }).click();
    await page.locator('#test-result .notice-ok', { hasText: 'Customer.io accepted these credentials (US region)' }).waitFor();
    assert.equal(await page.getByLabel('API key').inputValue(), 'sim-key-us', 'testing keeps what was typed');
    await screenshot(page, SHOTS, '03-sync-editor');
    await page.getByRole('button', { name: 'Save', exact: true }).first().click();
    await page.waitForURL(/\/ui\/syncs\/\d+$/);
    syncPath = new URL(page.url()).pathname;
    const view = (await service.admin('GET', `/api/syncs/${syncPath.split('/').at(-1)}`)).body;
    assert.equal(view.name, 'Web shop to Customer.io');
    assert.deepEqual(view.customerio, { site_id: 'sim-site-us', region: 'us', api_key_set: true });
    assert.equal(view.status.state, 'active');
  });

  it('shows events sent with the official SDK delivered on the delivery page', async () => {
    const { page } = desktop;
    await sendWithSdk(apiKey, (amplitude) => {
      amplitude.identify(new Identify().set('plan', 'pro').set('email', 'ada@example.com'), { user_id: 'ada-1001' });
      for (let i = 0; i < 5; i++) amplitude.track('Order Completed', { total: 10 + i, items: i + 1 }, { user_id: 'ada-1001' });
      amplitude.track('Page Viewed', { path: '/pricing' }, { user_id: 'grace-2002' });
    });
    await reloadUntil(page, syncPath, /Delivered\s*7\b/, 'the 6 events and 1 user update delivered');
    assert.equal(await figure(page, 'Delivered'), 7);
    assert.match((await page.locator('#chart-delivered svg').getAttribute('aria-label')) ?? '', /7 delivered and 0 failed/);
    await screenshot(page, SHOTS, '04-sync-delivery');
    await page.getByRole('link', { name: 'Syncs', exact: true }).click();
    const row = page.locator('tr', { hasText: 'Web shop to Customer.io' });
    assert.match(await row.innerText(), /Enabled/);
    await screenshot(page, SHOTS, '05-syncs');
  });

  it('pauses the sync with the reason when the credentials break, and drains the backlog once they are fixed', async () => {
    const { page } = desktop;
    await page.goto(`${service.url}${syncPath}/edit`);
    await page.getByLabel('API key').fill('sim-key-wrong');
    await page.getByRole('button', { name: 'Save', exact: true }).first().click();
    await page.waitForURL(`**${syncPath}`);
    await sendWithSdk(apiKey, (amplitude) => {
      for (let i = 0; i < 3; i++) amplitude.track('Order Completed', { total: 99 }, { user_id: 'ada-1001' });
    });
    const list = await reloadUntil(page, '/ui/syncs', /Paused/, 'the sync paused by the 401');
    assert.match(list, /Paused Customer\.io refused the Site ID and API key/, 'the list says why');
    await screenshot(page, SHOTS, '06-syncs-paused');
    const paused = await reloadUntil(page, syncPath, /Backlog 3 pending/, 'the events held while paused');
    assert.match(paused, /Paused/);

    await page.goto(`${service.url}${syncPath}/edit`);
    await page.getByLabel('API key').fill('sim-key-us');
    await page.getByRole('button', { name: 'Save', exact: true }).first().click();
    await page.waitForURL(`**${syncPath}`);
    await reloadUntil(page, syncPath, /Backlog 0 pending/, 'the backlog drained');
    assert.equal(await figure(page, 'Delivered'), 10);
    assert.match(await page.locator('.facts').innerText(), /Enabled/);
  });

  it('replays a dead-lettered event from the delivery page, and it arrives once', async () => {
    const { page } = desktop;
    const simulatorUrl = service.simulator?.url as string;
    const faults = await fetch(`${simulatorUrl}/_sim/faults`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        scripted: [{ match: { itemName: 'Bad Event' }, times: 1, rejectItems: { reason: 'invalid', field: 'attributes.note', message: 'property value cannot be longer than 1000 bytes' } }],
      }),
    });
    assert.equal(faults.status, 200);
    await sendWithSdk(apiKey, (amplitude) => amplitude.track('Bad Event', { note: 'refused once' }, { user_id: 'grace-2002' }));
    await reloadUntil(page, syncPath, /Dead letters 1\b/, 'the refused event dead-lettered');
    const deadLetters = page.locator('#dead-letters');
    assert.match(await deadLetters.innerText(), /Bad Event/);
    assert.match(await deadLetters.innerText(), /property value cannot be longer than 1000 bytes/);
    await screenshot(page, SHOTS, '07-sync-delivery-dead-letter');
    await deadLetters.locator('input[name=ids]').first().check();
    await page.getByRole('button', { name: 'Replay selected' }).click();
    await page.locator('#dead-letters .notice', { hasText: 'Replayed 1.' }).waitFor();
    await reloadUntil(page, syncPath, /Dead letters 0\b.*Delivered\s*11\b|Delivered\s*11\b.*Dead letters 0\b/, 'the replayed event delivered');

    await page.getByRole('link', { name: 'Simulator' }).click();
    await page.getByRole('link', { name: 'grace-2002' }).click();
    const person = await page.locator('main').innerText();
    assert.equal((person.match(/Bad Event/g) ?? []).length, 1, 'the replayed event arrived once');
    assert.match(person, /Page Viewed/);
    await screenshot(page, SHOTS, '08-simulator');
  });

  it('finds an event by user id in the trace search', async () => {
    const { page } = desktop;
    await page.goto(`${service.url}${syncPath}`);
    await page.getByLabel('User ID').fill('grace-2002');
    await page.getByLabel('User ID').press('Enter');
    await page.locator('#trace-results', { hasText: 'Bad Event' }).waitFor();
    assert.match(await page.locator('#trace-results').innerText(), /Replayed/);
    await screenshot(page, SHOTS, '09-trace');
  });

  it('offers the names seen at ingest in the editor\'s pickers, and adds a condition in place', async () => {
    const { page } = desktop;
    await page.goto(`${service.url}${syncPath}/edit`);
    assert.ok((await page.locator('datalist option[value="Order Completed"]').count()) > 0, 'event types seen are offered');
    assert.ok((await page.locator('datalist option[value="total"]').count()) > 0, 'event properties seen are offered');
    const identifierChoices = await page.getByLabel('Amplitude value used as the Customer.io identifier').locator('option').allInnerTexts();
    assert.ok(identifierChoices.some((choice) => choice.includes('email')), `user properties seen are offered: ${identifierChoices.join(', ')}`);
    await page.getByLabel('Event type').fill('Order Completed');
    await page.getByRole('button', { name: 'Add condition' }).click();
    await page.getByLabel('Property', { exact: true }).waitFor();
    assert.equal(await page.getByLabel('Event type').inputValue(), 'Order Completed', 'what was typed stays');
    await page.getByLabel('Property', { exact: true }).fill('total');
    await page.getByLabel('Operator').selectOption('greater');
    await page.getByLabel('Values', { exact: true }).fill('10');
    await screenshot(page, SHOTS, '10-sync-editor-condition');

    // Enter in a property picker adds the name, as its Add button does, and saves nothing; the picker
    // has the focus again for the next name.
    const eventProperties = page.locator('#f-send_events-properties-event-group');
    await eventProperties.getByLabel('Pick a property').fill('total');
    await eventProperties.getByLabel('Pick a property').press('Enter');
    // The picker may hold the focus before the swap too, so wait for the added name, then check the focus.
    const chosenNames = eventProperties.getByLabel('Or only these, one per line');
    const deadline = Date.now() + 5000;
    while (!/^total$/m.test(await chosenNames.inputValue()) && Date.now() < deadline) await page.waitForTimeout(50);
    assert.match(await chosenNames.inputValue(), /^total$/m, 'the picked name is added to the list');
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'f-send_events-properties-event-add', 'the picker has the focus for the next name');
    assert.equal(await eventProperties.getByLabel('All event properties').isChecked(), false, 'a picked name narrows the selection');
    assert.ok(page.url().endsWith('/edit'), `still editing, nothing saved: ${page.url()}`);
  });

  it('reads at phone width without sideways scrolling, and no page logged an error', async () => {
    const phone = await signedInPhone();
    try {
      const { page } = phone;
      for (const [path, name] of [
        ['/ui/syncs', '11-phone-syncs'],
        [`${syncPath}/edit`, '12-phone-sync-editor'],
        [syncPath, '13-phone-sync-delivery'],
        ['/ui/simulator', '14-phone-simulator'],
      ] as const) {
        await page.goto(`${service.url}${path}`);
        assert.equal(await scrollsSideways(page), false, `${path} scrolls sideways at 390 px`);
        await screenshot(page, SHOTS, name);
      }
      assert.deepEqual(phone.problems, []);
    } finally {
      await phone.context.close();
    }
    assert.deepEqual(desktop.problems, [], 'no console errors on any page');
    assert.deepEqual(failedRequests, [], 'no request failed on the server');
  });

  it('wraps a 200-character unbroken name in headings, table cells and links at phone width', async () => {
    const longName = 'W'.repeat(200);
    const project = await service.admin('POST', '/api/projects', { name: longName });
    assert.equal(project.status, 201, JSON.stringify(project.body));
    const sync = await service.admin('POST', '/api/syncs', {
      name: longName,
      project_id: project.body.id,
      enabled: false,
      customerio: { site_id: 'sim-site-us', api_key: 'sim-key-us', region: 'us' },
    });
    assert.equal(sync.status, 201, JSON.stringify(sync.body));
    const phone = await signedInPhone();
    try {
      const { page } = phone;
      for (const path of ['/ui/projects', '/ui/syncs', `/ui/syncs?project=${project.body.id}`, `/ui/syncs/${sync.body.id}`, `/ui/syncs/${sync.body.id}/edit`]) {
        await page.goto(`${service.url}${path}`);
        assert.ok((await page.locator('main').innerText()).includes(longName.slice(0, 20)), `${path} shows the name`);
        assert.equal(await scrollsSideways(page), false, `${path} scrolls sideways at 390 px`);
        assert.deepEqual(await pastTheEdge(page, longName.slice(0, 50)), [], `${path}: the name stays inside the window`);
      }
      assert.deepEqual(phone.problems, []);
    } finally {
      await phone.context.close();
    }
  });
});
