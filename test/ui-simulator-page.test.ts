/**
 * The Simulator page: a person trying ampstream with no Customer.io account (`serve --simulator`)
 * sees the people and events that reached the simulator; without the simulator there is no page.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ADMIN_TOKEN, createProject, postJson, startTestService } from './helpers/service.js';
import { textOf, UiSession } from './helpers/ui-session.js';

async function waitUntil(check: () => Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('web UI: simulator page', () => {
  it('shows the people and events that reached the in-process simulator', { timeout: 30_000 }, async () => {
    const service = await startTestService({ env: { AMPSTREAM_SIMULATOR: 'on', AMPSTREAM_SIMULATOR_PORT: '0' } });
    try {
      const apiKey = 'sim-page-key-0001';
      const projectId = await createProject(service, 'sim-page', apiKey);
      const sync = (
        await service.admin('POST', '/api/syncs', {
          name: 'to the simulator',
          project_id: projectId,
          customerio: { site_id: 'sim-site-us', api_key: 'sim-key-us', region: 'us' },
        })
      ).body;
      const reply = await postJson(`${service.url}/2/httpapi`, {
        api_key: apiKey,
        events: [
          { user_id: 'ada@example.com', event_type: 'Order Completed', event_properties: { total: 42.5 }, user_properties: { plan: 'pro' } },
        ],
      });
      assert.equal(reply.status, 200);
      await waitUntil(async () => (await service.admin('GET', `/api/syncs/${sync.id}`)).body.deliveries.delivered >= 2, 'delivery');

      const ui = new UiSession(service.url);
      const start = await ui.signIn(ADMIN_TOKEN);
      assert.match(start.html, /href="\/ui\/simulator"/, 'the navigation offers the Simulator page');
      const page = await ui.get('/ui/simulator');
      assert.equal(page.status, 200);
      const text = textOf(page.html);
      assert.match(text, /Site ID sim-site-us\s*, API key sim-key-us\s*, region US/);
      assert.match(text, /ada@example\.com/);
      const link = /href="(\/ui\/simulator\?site=sim-site-us&amp;person=[^"]+)"/.exec(page.html)?.[1];
      assert.ok(link !== undefined, 'each person links to their events');
      const person = textOf((await ui.get(link.replace(/&amp;/g, '&'))).html);
      assert.match(person, /Events of this person \(1\)/);
      assert.match(person, /Order Completed/);
      assert.match(person, /"total":42\.5/, 'typed values arrive typed');
      assert.match(person, /"plan": "pro"/);
      assert.doesNotMatch(person, /1970-/, 'times are shown as times (the simulator keeps Unix seconds)');
      assert.match(person, new RegExp(new Date().toISOString().slice(0, 10)), 'received today');
      assert.equal((await ui.get('/ui/simulator?site=no-such-site')).status, 404);
    } finally {
      await service.dispose();
    }
  });

  it('has no Simulator page when the server delivers to Customer.io', async () => {
    const service = await startTestService();
    try {
      const ui = new UiSession(service.url);
      const start = await ui.signIn(ADMIN_TOKEN);
      assert.doesNotMatch(start.html, /href="\/ui\/simulator"/);
      const page = await ui.get('/ui/simulator');
      assert.equal(page.status, 404);
      assert.match(textOf(page.html), /ampstream serve --simulator/);
    } finally {
      await service.dispose();
    }
  });
});
