// End to end, a shop's website: a cloud with the real settings (no demo) where the shop was
// created and its Web Chat widget connected with `stepup-cloud`; a page on another origin carries
// the <script> tag. A visitor in headless Chromium writes in Arabic, the agent answers in the
// desktop app, the visitor sees it live, keeps the history across page loads and languages, and
// a message written while the cloud is down waits, then arrives once.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Session, appEnv, chromium, freePort, startChromeDriver, startDriver } from './webdriver.mjs';
import { application, cloudAdmin, cloudBin, shots, startCloud as startCloudAt } from './fixtures.mjs';

const PASSWORD = 'noor-perfumes-2026';
const cloudEnv = { ...process.env, STEPUP_CLOUD_KEY: randomBytes(32).toString('hex'), STEPUP_ADMIN_PASSWORD: PASSWORD };

let home;
let dataDir;
let cloud;
let cloudPort;
let shop;
let driver;
let chrome;
let key;
let cloudLog = '';

const admin = (...args) => cloudAdmin(dataDir, cloudEnv, ...args);
const startCloud = (port) => startCloudAt({ port, dataDir, env: cloudEnv, onLog: (d) => (cloudLog += d) });

/** The shop's website, on an origin of its own, with the widget's tag. */
function startShop(cloudUrl, widgetKey) {
  const page = (lang, title) => `<!doctype html><html lang="${lang}" dir="${lang === 'ar' ? 'rtl' : 'ltr'}">
<head><meta charset="utf-8"><title>${title}</title>
<style>body { font-family: sans-serif; margin: 40px; } h1 { color: #7c2d12; }</style></head>
<body><h1>${title}</h1><p>${lang === 'ar' ? 'عطور ودهن عود وبخور' : 'Perfumes, oud oil and bakhoor'}</p>
<script src="${cloudUrl}/webchat/widget.js" data-key="${widgetKey}" async></script></body></html>`;
  const srv = createServer((req, res) => {
    const lang = req.url.startsWith('/en') ? 'en' : 'ar';
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(page(lang, lang === 'ar' ? 'عطور نور' : 'Noor Perfumes'));
  });
  return new Promise((r) => srv.listen(0, '127.0.0.1', () => r({ srv, url: `http://localhost:${srv.address().port}` })));
}

before(async () => {
  for (const f of [application, cloudBin]) assert.ok(existsSync(f), `build it first: ${f}`);
  home = mkdtempSync(join(tmpdir(), 'stepup-e2e-webchat-'));
  dataDir = join(home, 'cloud');
  const [ws] = admin('workspace', 'create', '--name', 'Noor Perfumes', '--admin-email', 'owner@noor.shop', '--admin-name', 'Huda هدى');
  const printed = admin('connect', '--workspace', ws, '--channel', 'webchat', '--name', 'عطور نور Noor Perfumes');
  key = printed[1].match(/data-key="([^"]+)"/)[1];
  cloudPort = await freePort();
  cloud = await startCloud(cloudPort);
  shop = await startShop(`http://127.0.0.1:${cloudPort}`, key);
  [driver, chrome] = await Promise.all([startDriver({ env: appEnv(home) }), startChromeDriver()]);
});

after(async () => {
  await driver?.stop();
  await chrome?.stop();
  cloud?.proc.kill('SIGTERM');
  shop?.srv.close();
  if (home) rmSync(home, { recursive: true, force: true });
});

const launcher = `return document.querySelector('[data-stepup-webchat]').shadowRoot.querySelector('[data-testid="webchat-launcher"]');`;
const frameOf = `return document.querySelector('[data-stepup-webchat]').shadowRoot.querySelector('[data-testid="webchat-frame"]');`;

/** Opens the shop's page in `lang`, opens the chat and enters its frame. */
async function openChat(visitor, lang) {
  await visitor.navigate(`${shop.url}/${lang}`);
  await visitor.waitUntil(`return !!document.querySelector('[data-stepup-webchat]')?.shadowRoot?.querySelector('[data-testid="webchat-launcher"]');`);
  const button = await visitor.elementFrom(launcher);
  await visitor.clickElement(button);
  await visitor.waitUntil(`return !document.querySelector('[data-stepup-webchat]').shadowRoot.querySelector('[data-testid="webchat-frame"]').hidden;`);
  await visitor.enterFrame(await visitor.elementFrom(frameOf));
  await visitor.find('[data-testid="webchat-input"]');
}

const messages = `return [...document.querySelectorAll('[data-testid="webchat-message"]')].map((m) => [m.dataset.from, m.querySelector('.text').textContent, m.dataset.state ?? '']);`;

async function signIn(app) {
  await app.find('[data-testid="signin"]');
  await app.execute(`
    for (const [id, v] of [['signin-server', arguments[0]], ['signin-email', 'owner@noor.shop'], ['signin-password', arguments[1]]]) {
      const i = document.querySelector('[data-testid="' + id + '"]');
      i.value = v;
      i.dispatchEvent(new Event('input', { bubbles: true }));
    }`, [`http://127.0.0.1:${cloudPort}`, PASSWORD]);
  await app.click('[data-testid="signin-submit"]');
  await app.find('[data-testid="sync-state"].sync-online');
}

test('a visitor writes in Arabic on the shop\'s site, the agent answers in the app, the visitor sees it and keeps it', async () => {
  const visitor = await Session.create(chrome.url, chromium({ width: 1100, height: 760, lang: 'ar' }), { implicitMs: 30_000 });
  const app = await Session.start(driver.url, application, { implicitMs: 60_000 });
  const question = 'السلام عليكم، عندكم دهن عود كمبودي؟ price in AED?';
  // (WebKitWebDriver types no characters beyond the BMP, so no emoji here)
  const answer = 'وعليكم السلام! نعم متوفر، 250 AED للتولة';
  try {
    // The visitor, on the Arabic page: the chat is in Arabic, mirrored, and empty.
    await openChat(visitor, 'ar');
    assert.equal(await visitor.execute('return document.documentElement.dir;'), 'rtl');
    assert.equal(await visitor.text('[data-testid="webchat-empty"]'), 'أرسل لنا رسالة وسنرد عليك هنا.');
    assert.equal(await visitor.execute(`return document.querySelector('.title').textContent;`), 'عطور نور Noor Perfumes');
    await visitor.type('[data-testid="webchat-input"]', `${question}\uE007`);
    await visitor.waitUntil(`${messages.replace('return ', 'const m = ')}; return m.length === 1 && m[0][2] === 'sent';`);

    // The agent, in the desktop app signed in to the same cloud.
    await signIn(app);
    const rowWith = `[...document.querySelectorAll('[data-testid="conversation-row"]')].find((r) => r.textContent.includes(arguments[0]))`;
    await app.waitUntil(`return !!${rowWith};`, [question]);
    await app.execute(`${rowWith}.click();`, [question]);
    await app.waitUntil(`return [...document.querySelectorAll('[data-testid="message"].inbound .text')].some((p) => p.textContent === arguments[0]);`, [question]);
    await app.type('[data-testid="composer"]', answer);
    await app.execute(`document.querySelector('[data-testid="composer"]').dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true }));`);
    await app.waitUntil(`return [...document.querySelectorAll('.bubble.outbound[data-status]')].some((b) => b.textContent.includes(arguments[0]) && b.dataset.status === 'sent');`, [answer]);

    // The visitor sees the answer live, as text, in its own direction.
    await visitor.waitUntil(`${messages.replace('return ', 'const m = ')}; return m.some((x) => x[0] === 'agent' && x[1] === arguments[0]);`, [answer]);
    assert.equal(await visitor.execute(`return document.querySelector('[data-from="agent"] .text').getAttribute('dir');`), 'auto');
    await visitor.topFrame();
    await visitor.browserScreenshot(join(shots, 'webchat-widget-ar.png'));

    // A new page load, then the English page: the same conversation, now in English.
    await openChat(visitor, 'ar');
    await visitor.waitUntil(`return document.querySelectorAll('[data-testid="webchat-message"]').length === 2;`);
    assert.deepEqual(await visitor.execute(messages), [['visitor', question, 'sent'], ['agent', answer, '']]);
    await openChat(visitor, 'en');
    await visitor.waitUntil(`return document.querySelectorAll('[data-testid="webchat-message"]').length === 2;`);
    assert.equal(await visitor.execute('return document.documentElement.dir;'), 'ltr');
    assert.equal(await visitor.text('[data-testid="webchat-send"]'), 'Send');

    // The cloud goes down: the chat says so, and a message written now waits.
    cloud.proc.kill('SIGTERM');
    await cloud.exited;
    await visitor.waitUntil(`return document.body.dataset.online === 'false' && !document.querySelector('[data-testid="webchat-state"]').hidden;`);
    assert.match(await visitor.text('[data-testid="webchat-state"]'), /offline/);
    const later = 'Also, do you deliver to Al Ain? التوصيل للعين؟';
    await visitor.type('[data-testid="webchat-input"]', `${later}\uE007`);
    await visitor.waitUntil(`${messages.replace('return ', 'const m = ')}; return m.some((x) => x[1] === arguments[0] && x[2] === 'queued');`, [later]);
    await visitor.topFrame();
    await visitor.browserScreenshot(join(shots, 'webchat-widget-offline-en.png'));
    const frame = await visitor.elementFrom(frameOf);
    await visitor.enterFrame(frame);

    // Back up on the same address: the message is sent, once, and reaches the agent.
    cloud = await startCloud(cloudPort);
    await visitor.waitUntil(`${messages.replace('return ', 'const m = ')}; return m.some((x) => x[1] === arguments[0] && x[2] === 'sent') && document.body.dataset.online === 'true';`, [later]);
    await app.waitUntil(`return [...document.querySelectorAll('[data-testid="message"].inbound .text')].filter((p) => p.textContent === arguments[0]).length === 1;`, [later]);
    assert.equal(await visitor.execute(`return document.querySelectorAll('[data-testid="webchat-message"]').length;`), 3);
  } catch (err) {
    await visitor.topFrame().catch(() => {});
    await visitor.browserScreenshot(join(shots, 'failed-webchat-visitor.png')).catch(() => {});
    await app.screenshot(join(shots, 'failed-webchat-app.png')).catch(() => {});
    console.error(`the cloud's log:\n${cloudLog}\nthe app's log:\n${driver.output().slice(-6000)}`);
    throw err;
  } finally {
    await visitor.end().catch(() => {});
    await app.end();
  }
});
