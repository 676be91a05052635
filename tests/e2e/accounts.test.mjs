// End to end, several accounts at once: two shops on one `stepup-cloud` (no demo data), each
// with its own Web Chat visitor. The agent signs in to the first, adds the second from Settings
// without signing out, switches between them from the app bar (each shows only its own
// conversations; the switcher names the workspace and counts its unread), and a visitor writing
// to the shop in the background raises that account's count and notifies, the notification
// naming the workspace (captured by the recording notification server on this D-Bus session);
// its Open action brings that account and conversation into the window.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Session, appEnv, freePort, startDriver } from './webdriver.mjs';
import { application, cloudAdmin, cloudBin, notifyServerBin, shots, signIn as signInTo, startCloud, startNotificationServer } from './fixtures.mjs';

const PASSWORD = 'two-shops-2026';
const cloudEnv = { ...process.env, STEPUP_CLOUD_KEY: randomBytes(32).toString('hex'), STEPUP_ADMIN_PASSWORD: PASSWORD };

let home;
let dataDir;
let cloud;
let url;
let driver;
let notifications;
const keys = {};

const admin = (...args) => cloudAdmin(dataDir, cloudEnv, ...args);

before(async () => {
  for (const f of [application, cloudBin, notifyServerBin]) assert.ok(existsSync(f), `build it first: ${f}`);
  notifications = startNotificationServer();
  await notifications.waitFor((l) => l.ready === true, 30_000, 'ready line from the notification server');
  home = mkdtempSync(join(tmpdir(), 'stepup-e2e-accounts-'));
  dataDir = join(home, 'cloud');
  for (const [shop, name, email] of [['noor', 'Noor Perfumes · عطور نور', 'owner@noor.shop'], ['oud', 'Oud House · بيت العود', 'owner@oud.shop']]) {
    const [ws] = admin('workspace', 'create', '--name', name, '--admin-email', email, '--admin-name', shop === 'noor' ? 'Huda هدى' : 'Hessa حصة');
    keys[shop] = admin('connect', '--workspace', ws, '--channel', 'webchat', '--name', name)[1].match(/data-key="([^"]+)"/)[1];
  }
  const port = await freePort();
  url = `http://127.0.0.1:${port}`;
  cloud = await startCloud({ port, dataDir, env: cloudEnv });
  driver = await startDriver({ env: appEnv(home) });
});

after(async () => {
  await driver?.stop();
  await notifications?.stop();
  cloud?.proc.kill('SIGTERM');
  if (home) rmSync(home, { recursive: true, force: true });
});

/** A visitor on a shop's site writes, through the Web Chat API the widget uses. */
async function visitor(shop, text) {
  const post = async (path, body, token) => {
    const r = await fetch(`${url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify(body),
    });
    assert.ok(r.ok, `${path}: ${r.status}`);
    return r.json();
  };
  const { visitor_token: token } = await post('/webchat/v1/sessions', { widget_key: keys[shop], name: `${shop} visitor` });
  await post('/webchat/v1/messages', { client_message_id: `e2e-${randomBytes(4).toString('hex')}`, text }, token);
}

const signIn = (app, email) => signInTo(app, url, email, PASSWORD);

const rows = `[...document.querySelectorAll('[data-testid="conversation-row"]')].map((r) => r.textContent)`;
const rowTexts = `return ${rows};`;
const options = `return [...document.querySelectorAll('[data-testid="account-switch"] option')].map((o) => o.textContent.replace(/[\\u2068\\u2069]/g, ''));`;
const pick = (app, index) =>
  app.execute(`const s = document.querySelector('[data-testid="account-switch"]'); s.value = s.options[arguments[0]].value; s.dispatchEvent(new Event('change', { bubbles: true }));`, [index]);

test('two shops at once: add an account without signing out, a background account counts and notifies, switch', async () => {
  await visitor('noor', 'هل عندكم عطر الورد الطائفي؟');
  await visitor('oud', 'Do you ship Cambodian oud oil to Doha?');
  const app = await Session.start(driver.url, application, { implicitMs: 60_000 });
  try {
    await signIn(app, 'owner@noor.shop');
    await app.waitUntil(`return ${rows}.some((t) => t.includes('الورد الطائفي'));`);

    // Settings → the AI assistant (Noor's owner is an admin): answers Web Chat visitors and
    // hands a customer to the team on «مدير»; no model is allowed yet.
    await app.click('[data-testid="nav-settings"]');
    await app.find('[data-testid="assistant-settings"]');
    assert.equal(await app.execute(`return document.querySelector('[data-testid="assistant-allowed"]').checked;`), false);
    await app.click('[data-testid="assistant-channel-webchat"]');
    await app.type('[data-testid="assistant-keywords"]', 'مدير');
    await app.click('[data-testid="assistant-save"]');
    await app.find('[data-testid="assistant-saved"]');
    await app.execute(`document.querySelector('[data-testid="assistant-settings"]').scrollIntoView();`);
    await app.screenshot(join(shots, 'assistant-settings-en.png'));

    // Settings → Add an account: the sign-in form, while Noor's account stays signed in.
    await app.click('[data-testid="add-account"]');
    await app.find('[data-testid="signin-cancel"]');
    await signIn(app, 'owner@oud.shop');
    await app.waitUntil(`return ${rows}.some((t) => t.includes('Cambodian oud'));`);
    assert.ok(!(await app.execute(rowTexts)).some((t) => t.includes('الورد الطائفي')), 'only the Oud House here');

    // The switcher lists both, with their workspaces.
    await app.waitUntil(`return document.querySelectorAll('[data-testid="account-switch"] option').length === 2;`);
    await app.waitUntil(`${options.replace('return ', 'const o = ')}; return o.some((t) => t.includes('Noor Perfumes')) && o.some((t) => t.includes('Oud House'));`);

    // A visitor writes to Noor while the Oud House is in the window: Noor's count goes up.
    const noorIndex = (await app.execute(options)).findIndex((t) => t.includes('Noor Perfumes'));
    const before = await app.execute(options);
    const shown = notifications.lines.length;
    await visitor('noor', 'ومتى يوصل الطلب للشارقة؟');
    await app.waitUntil(`${options.replace('return ', 'const o = ')}; return o[arguments[0]] !== arguments[1];`, [noorIndex, before[noorIndex]]);
    assert.match((await app.execute(options))[noorIndex], /\(2 unread\)/);
    await app.screenshot(join(shots, 'accounts-switcher-en.png'));

    // It notified, naming Noor's workspace; its Open action brings Noor and that conversation in.
    const note = await notifications.waitFor(
      (l) => notifications.lines.indexOf(l) >= shown && typeof l.summary === 'string' && l.summary.startsWith('Noor Perfumes · عطور نور · '),
      30_000,
      "a notification of Noor's new message",
    );
    assert.match(note.summary, /New message from noor visitor$/);
    notifications.send(`invoke ${note.id} open`);
    await app.waitUntil(`return ${rows}.some((t) => t.includes('يوصل الطلب للشارقة'));`);
    assert.ok(!(await app.execute(rowTexts)).some((t) => t.includes('Cambodian oud')), 'only Noor here');
    await app.waitUntil(`return document.querySelector('[data-testid="conversation-name"]')?.textContent === 'noor visitor';`);
    await app.waitUntil(`return document.querySelector('[data-testid="account-switch"] option:checked')?.textContent.includes('Noor Perfumes');`);

    // Back to the Oud House from the app bar, in Arabic.
    await app.click('[data-testid="language-switch"]');
    await app.find('html[dir="rtl"]');
    const oudIndex = (await app.execute(options)).findIndex((t) => t.includes('Oud House'));
    await pick(app, oudIndex);
    await app.waitUntil(`return ${rows}.some((t) => t.includes('Cambodian oud')) && !${rows}.some((t) => t.includes('الورد الطائفي'));`);
    await app.waitUntil(`${options.replace('return ', 'const o = ')}; return o.some((t) => t.includes('غير مقروءة'));`);
    await app.screenshot(join(shots, 'accounts-switcher-ar.png'));
    // The Oud House's assistant, in Arabic: its own settings, not Noor's.
    await app.click('[data-testid="nav-settings"]');
    await app.find('[data-testid="assistant-settings"]');
    await app.waitUntil(`return document.querySelector('[data-testid="assistant-channel-webchat"]')?.checked === false;`);
    await app.execute(`document.querySelector('[data-testid="assistant-settings"]').scrollIntoView();`);
    await app.screenshot(join(shots, 'assistant-settings-ar.png'));
  } finally {
    await app.end();
  }
});
