// End to end, Messenger's reply windows in the real app with the page's clock under the test's
// control: a customer writes on Messenger (a signed webhook, as Meta sends it); the composer
// counts down the 24-hour window, then offers the 7-day human-agent reply with its own countdown
// (in English and Arabic), then closes with the reason once the 7 days are over.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Session, appEnv, startDriver } from './webdriver.mjs';
import { binary, root } from './target.mjs';

const application = process.env.STEPUP_APP ?? binary('debug', 'stepup-desktop');
const shots = join(root, 'tests/artifacts/screenshots');
const HOUR = 3_600_000;

let driver;
let home;

before(async () => {
  assert.ok(existsSync(application), `build the app first: ${application}`);
  home = mkdtempSync(join(tmpdir(), 'stepup-e2e-window-'));
  driver = await startDriver({ env: appEnv(home, { STEPUP_DEMO: '1', STEPUP_DEMO_RATE: '0' }) });
});

after(async () => {
  await driver?.stop();
  if (home) rmSync(home, { recursive: true, force: true });
});

/** A Messenger customer's message, posted to the demo cloud as Meta sends it (signed). */
async function messenger(cloud, psid, text) {
  const now = Date.now();
  const body = JSON.stringify({
    object: 'page',
    entry: [{ id: 'demo-page', time: now, messaging: [{
      sender: { id: psid }, recipient: { id: 'demo-page' }, timestamp: now,
      message: { mid: `m_e2e_window_${now}`, text },
    }] }],
  });
  const signature = `sha256=${createHmac('sha256', 'demo-meta-app-secret').update(body).digest('hex')}`;
  const r = await fetch(`${cloud}/webhooks/messenger`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-hub-signature-256': signature },
    body,
  });
  assert.ok(r.ok, `messenger webhook: ${r.status}`);
}

/** Sets the page's clock `shiftMs` ahead of the real one and lets the UI read it. */
async function clockAt(app, shiftMs) {
  await app.execute(`
    window.__realNow ??= Date.now.bind(Date);
    const shift = arguments[0];
    Date.now = () => window.__realNow() + shift;
    window.dispatchEvent(new Event('focus'));`, [shiftMs]);
}

// (Fluent isolates each argument with U+2068 … U+2069: read without them)
const countdown = `return (document.querySelector('[data-testid="window-countdown"]')?.textContent ?? '').replace(/[\\u2068\\u2069]/g, '').trim();`;

test('Messenger: the 24-hour countdown, then the 7-day human-agent one, then closed (controlled clock)', async () => {
  const app = await Session.start(driver.url, application, { implicitMs: 60_000 });
  try {
    await app.find('[data-testid="sync-state"].sync-online');
    const cloud = readFileSync(join(home, 'data', 'demo', 'cloud-url'), 'utf8').trim();
    const text = 'Hi, is the oud gift set still available? هل طقم العود متوفر؟';
    await messenger(cloud, `e2e-window-${Date.now()}`, text);
    const row = `[...document.querySelectorAll('[data-testid="conversation-row"]')].find((r) => r.textContent.includes(arguments[0]))`;
    await app.waitUntil(`return !!${row};`, [text]);
    await app.execute(`${row}.click();`, [text]);
    await app.waitUntil(`return [...document.querySelectorAll('[data-testid="message"].inbound .text')].some((p) => p.textContent === arguments[0]);`, [text]);

    // Now: the 24-hour window, all but a minute of it left.
    await app.waitUntil(`${countdown.replace('return ', 'const c = ')}; return /^Reply window: 23 h 5\\d min left$/.test(c);`);

    // A day and an hour later: the 7-day human-agent reply, 143 hours less a minute or so left.
    await clockAt(app, 25 * HOUR);
    await app.waitUntil(`${countdown.replace('return ', 'const c = ')}; return /^Human-agent reply window \\(7 days\\): 14[23] h \\d+ min left$/.test(c);`);
    assert.equal(await app.countNow('[data-testid="composer"]'), 1, 'the agent can still reply');
    await app.screenshot(join(shots, 'reply-window-human-agent-en.png'));
    await app.click('[data-testid="language-switch"]');
    await app.find('html[dir="rtl"]');
    await app.waitUntil(`${countdown.replace('return ', 'const c = ')}; return /^نافذة رد الموظف \\(7 أيام\\): متبقٍ 14[23] س \\d+ د$/.test(c);`);
    await app.screenshot(join(shots, 'reply-window-human-agent-ar.png'));

    // Past the 7 days: closed, saying why, and nothing to type into.
    await clockAt(app, 8 * 24 * HOUR);
    await app.waitUntil(`return document.body.textContent.includes('أُغلقت نافذة الرد. يمكنك الرد عندما يكتب العميل مجدداً.');`);
    assert.equal(await app.countNow('[data-testid="composer"]'), 0);
    await app.screenshot(join(shots, 'reply-window-closed-ar.png'));
    await app.click('[data-testid="language-switch"]');
    await app.find('html[dir="ltr"]');
    await app.waitUntil(`return document.body.textContent.includes('The reply window has closed. You can reply once the customer writes again.');`);

    // Back to the real time: open again.
    await clockAt(app, 0);
    await app.waitUntil(`${countdown.replace('return ', 'const c = ')}; return /^Reply window: 23 h 5\\d min left$/.test(c);`);
  } catch (err) {
    await app.screenshot(join(shots, 'failed-reply-window.png')).catch(() => {});
    throw err;
  } finally {
    await app.end();
  }
});
