// End to end, one customer across channels in the real app: a customer writes on WhatsApp and
// on Messenger (signed webhooks, as Meta sends them); from the Messenger conversation the agent
// finds the WhatsApp customer and merges them, sees both channels and both conversations, adds a
// detail, reads it in Arabic (mirrored), and splits the Messenger identity off again.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Session } from './webdriver.mjs';
import { application, demoApp, shots } from './fixtures.mjs';

const demo = demoApp('customer');

async function post(cloud, path, payload) {
  const body = JSON.stringify(payload);
  const signature = `sha256=${createHmac('sha256', 'demo-meta-app-secret').update(body).digest('hex')}`;
  const r = await fetch(`${cloud}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-hub-signature-256': signature },
    body,
  });
  assert.ok(r.ok, `${path}: ${r.status}`);
}

const bare = (s) => (s ?? '').replace(/[\u2068\u2069]/g, '');
const texts = (css) => `return [...document.querySelectorAll(arguments[0] ?? '${css}')].map((e) => e.textContent.replace(/[\\u2068\\u2069]/g, '').trim());`;

test('one customer across channels: merge from the panel, a detail, Arabic, split', async () => {
  const app = await Session.start(demo.driver.url, application, { implicitMs: 60_000 });
  try {
    await app.find('[data-testid="sync-state"].sync-online');
    const cloud = readFileSync(join(demo.home, 'data', 'demo', 'cloud-url'), 'utf8').trim();
    const stamp = String(Date.now()).slice(-6);
    const name = `Maryam Al Kaabi ${stamp}`;
    const wa = `9715577${stamp}`;
    const psid = `e2e-psid-${stamp}`;
    const at = Math.floor(Date.now() / 1000);
    await post(cloud, '/webhooks/whatsapp', {
      object: 'whatsapp_business_account',
      entry: [{ id: 'demo-waba', changes: [{ field: 'messages', value: {
        messaging_product: 'whatsapp',
        metadata: { display_phone_number: '971800666', phone_number_id: 'demo-phone' },
        contacts: [{ profile: { name }, wa_id: wa }],
        messages: [{ from: wa, id: `wamid.e2e.cust.${stamp}`, timestamp: String(at), type: 'text', text: { body: 'عندكم عطر العود الملكي؟' } }],
      } }] }],
    });
    await post(cloud, '/webhooks/messenger', {
      object: 'page',
      entry: [{ id: 'demo-page', time: Date.now(), messaging: [{
        sender: { id: psid }, recipient: { id: 'demo-page' }, timestamp: Date.now(),
        message: { mid: `m_e2e_cust_${stamp}`, text: 'Same question here on Messenger: the royal oud?' },
      }] }],
    });
    const row = `[...document.querySelectorAll('[data-testid="conversation-row"]')].find((r) => r.querySelector('.name')?.textContent === arguments[0])`;
    await app.waitUntil(`return !!${row};`, [psid]);
    await app.execute(`${row}.click();`, [psid]);
    await app.waitUntil(`return document.querySelector('[data-testid="conversation-name"]')?.textContent === arguments[0];`, [psid]);
    // The customer panel opens from the name in the header (narrow windows start without it).
    if (!(await app.execute(`return !!document.querySelector('[data-testid="contact-panel"]');`))) {
      await app.execute(`document.querySelector('[data-testid="conversation-name"]').closest('button').click();`);
    }
    await app.waitUntil(`return document.querySelector('[data-testid="contact-name"]')?.textContent === arguments[0];`, [psid]);

    // Merge: find the WhatsApp customer by name, confirm.
    await app.click('[data-testid="merge"] summary');
    await app.type('[data-testid="merge-search"]', name);
    await app.waitUntil(`return [...document.querySelectorAll('[data-testid="merge-candidate"]')].some((b) => b.textContent.includes(arguments[0]));`, [name]);
    await app.execute(`[...document.querySelectorAll('[data-testid="merge-candidate"]')].find((b) => b.textContent.includes(arguments[0])).click();`, [name]);
    await app.click('[data-testid="merge-confirm"]');
    // One customer: the real name, both channels, the WhatsApp conversation one click away.
    await app.waitUntil(`return document.querySelectorAll('[data-testid="contact-identity"]').length === 2;`);
    await app.waitUntil(`return document.querySelector('[data-testid="contact-name"]')?.textContent === arguments[0];`, [name]);
    assert.deepEqual(
      await app.execute(`return [...document.querySelectorAll('[data-testid="contact-identity"]')].map((e) => e.dataset.channel).sort();`),
      ['messenger', 'whatsapp'],
    );
    await app.waitUntil(`return [...document.querySelectorAll('[data-testid="contact-conversation"]')].some((b) => b.textContent.includes('عندكم عطر العود الملكي؟'));`);

    // A detail, typed in the panel.
    await app.type('[data-testid="attribute-key"]', 'city');
    await app.type('[data-testid="attribute-value"]', 'العين');
    await app.click('[data-testid="attribute-add"]');
    await app.waitUntil(`return !!document.querySelector('[data-testid="contact-attribute"][data-key="city"]');`);
    assert.ok(bare(await app.text('[data-testid="contact-attribute"][data-key="city"]')).includes('العين'));
    await app.screenshot(join(shots, 'customer-en.png'));

    // Arabic: the panel mirrors, its labels are Arabic, the customer's text stays as written.
    await app.click('[data-testid="language-switch"]');
    await app.find('html[dir="rtl"]');
    await app.waitUntil(`return document.querySelector('[data-testid="merge"] summary')?.textContent === 'هل هو نفس عميل آخر؟';`);
    assert.ok(
      await app.execute(`const p = document.querySelector('[data-testid="contact-panel"]').getBoundingClientRect();
        const list = document.querySelector('.list-pane').getBoundingClientRect();
        return p.right < list.left;`),
      'the customer panel is on the left of the list in Arabic',
    );
    await app.screenshot(join(shots, 'customer-ar.png'));

    // Split the Messenger identity off: two customers again.
    await app.execute(`document.querySelector('[data-testid="contact-identity"][data-channel="messenger"] [data-testid="split"]').click();`);
    await app.click('[data-testid="split-confirm"]');
    await app.waitUntil(`return document.querySelectorAll('[data-testid="contact-identity"]').length === 1;`);
    assert.deepEqual(await app.execute(texts('[data-testid="contact-conversation"]')), []);
  } finally {
    await app.end();
  }
});
