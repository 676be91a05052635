// End to end, two agents on one customer: the real app (the demo's supervisor) and a second
// agent (Omar, signed in to the same cloud over its API) who starts typing in the conversation
// the app has open. The header says so, and a reply sent meanwhile asks first; "Wait" sends
// nothing, "Send anyway" sends. In English and Arabic.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Session } from './webdriver.mjs';
import { application, demoApp, shots } from './fixtures.mjs';

const demo = demoApp('collision');

/** Text without Fluent's isolation marks around arguments. */
const plain = (s) => s.replace(/[\u2068\u2069]/g, '');

async function api(cloud, path, body, token) {
  const r = await fetch(`${cloud}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
  assert.ok(r.ok, `${path}: ${r.status}`);
  return r.status === 204 ? null : r.json();
}

test('another agent typing in the open conversation is shown, and a reply asks first', async () => {
  const app = await Session.start(demo.driver.url, application, { implicitMs: 60_000 });
  try {
    await app.find('[data-testid="sync-state"].sync-online');
    const cloud = readFileSync(join(demo.home, 'data', 'demo', 'cloud-url'), 'utf8').trim();
    const omar = await api(cloud, '/v1/auth/login', { email: 'omar@noor.demo', password: 'stepup-demo' });

    // The app opens a conversation whose reply window is open.
    const id = await app.execute(`
      const r = [...document.querySelectorAll('[data-testid="conversation-row"]')].find((r) => !r.querySelector('.badge-closed'));
      r.click();
      return r.dataset.id;`);
    await app.find('form.composer [data-testid="composer"]');

    // Omar starts typing there.
    const typing = () => api(cloud, `/v1/conversations/${id}/activity`, { kind: 'typing' }, omar.access_token);
    await typing();
    await app.waitUntil(`return document.querySelector('[data-testid="activity-typing"]')?.textContent.replace(/[\\u2068\\u2069]/g, '') === 'Typing now: Omar Khalil';`);

    // A reply now asks first; "Wait" sends nothing and keeps the draft.
    const reply = 'I can help with that right away.';
    const sentCount = `return document.querySelectorAll('.bubble.outbound[data-status]').length;`;
    const before = await app.execute(sentCount);
    await app.type('[data-testid="composer"]', reply);
    await app.execute(`document.querySelector('[data-testid="composer"]').dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true }));`);
    await app.find('[data-testid="collision"]');
    assert.match(plain(await app.text('[data-testid="collision"] span')), /^Omar Khalil is answering this customer right now/);
    await app.screenshot(join(shots, 'collision-en.png'));
    await app.click('[data-testid="collision-wait"]');
    assert.equal(await app.countNow('[data-testid="collision"]'), 0);
    assert.equal(await app.execute(sentCount), before);
    assert.equal(await app.execute(`return document.querySelector('[data-testid="composer"]').value;`), reply);

    // In Arabic, then "Send anyway" sends.
    await app.click('[data-testid="language-switch"]');
    await app.find('html[dir="rtl"]');
    await typing();
    await app.waitUntil(`return /يكتب الآن: Omar Khalil/.test(document.querySelector('[data-testid="activity-typing"]')?.textContent.replace(/[\\u2068\\u2069]/g, '') ?? '');`);
    await app.execute(`document.querySelector('[data-testid="composer"]').dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true }));`);
    await app.find('[data-testid="collision"]');
    assert.match(plain(await app.text('[data-testid="collision"] span')), /^Omar Khalil يرد على هذا العميل الآن/);
    await app.screenshot(join(shots, 'collision-ar.png'));
    await app.click('[data-testid="collision-send"]');
    await app.waitUntil(`return [...document.querySelectorAll('.bubble.outbound[data-status]')].some((b) => b.textContent.includes(arguments[0]));`, [reply]);

    // Omar leaves: the line goes.
    await api(cloud, `/v1/conversations/${id}/activity`, { kind: null }, omar.access_token);
    await app.waitUntil(`return !document.querySelector('[data-testid="activity"]');`);

    // The supervisor's list: Omar's conversations, most urgent first.
    await app.click('[data-testid="filters-toggle"]');
    await app.execute(`
      const pick = (sel, value) => { const s = document.querySelector(sel); s.value = value; s.dispatchEvent(new Event('change', { bubbles: true })); };
      pick('[data-testid="filter-assignee"]', 'agent:' + arguments[0]);
      pick('[data-testid="sort"]', 'priority');`, [omar.agent.id]);
    await app.waitUntil(`
      const rows = [...document.querySelectorAll('[data-testid="conversation-row"]')];
      return rows.length > 0 && rows.every((r) => r.querySelector('.assignee')?.textContent.trim() === 'Omar Khalil');`);
    await app.screenshot(join(shots, 'list-by-agent-priority-ar.png'));
  } catch (err) {
    await app.screenshot(join(shots, 'failed-collision.png')).catch(() => {});
    throw err;
  } finally {
    await app.end();
  }
});
