// End to end, the path a shop takes: the app signs in to a cloud that serves HTTPS and WSS
// itself with a certificate from the shop's own CA, trusted through STEPUP_EXTRA_CA_FILE. A
// second cloud whose CA the computer does not know, and a plain http:// address off this
// computer, are refused with the reason. Then the inbox syncs, a customer writes live, and the
// agent's reply leaves over TLS.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Session, appEnv, startDriver } from './webdriver.mjs';
import { binary, root } from './target.mjs';

const application = process.env.STEPUP_APP ?? binary('debug', 'stepup-desktop');
const cloudBin = process.env.STEPUP_CLOUD ?? binary('debug', 'stepup-cloud');
const shots = join(root, 'tests/artifacts/screenshots');

let home;
let driver;
const clouds = [];

/** A private CA and a server certificate for localhost it signed, made with openssl. */
function makeCa(dir, name) {
  const f = (n) => join(dir, `${name}-${n}`);
  const ssl = (...args) => execFileSync('openssl', args, { stdio: 'pipe' });
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  ssl('req', '-x509', ...ec, '-keyout', f('ca.key'), '-out', f('ca.pem'), '-days', '2', '-subj', `/CN=${name} CA`,
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign');
  ssl('req', ...ec, '-keyout', f('server.key'), '-out', f('server.csr'), '-subj', '/CN=localhost');
  writeFileSync(f('ext.cnf'),
    'subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\n');
  ssl('x509', '-req', '-in', f('server.csr'), '-CA', f('ca.pem'), '-CAkey', f('ca.key'), '-CAcreateserial',
    '-out', f('server.pem'), '-days', '2', '-extfile', f('ext.cnf'));
  return { ca: f('ca.pem'), cert: f('server.pem'), key: f('server.key') };
}

/** Starts `stepup-cloud` over TLS in demo mode; resolves with its https URL once it listens. */
function startCloud({ cert, key }) {
  const proc = spawn(cloudBin, ['--listen', '127.0.0.1:0', '--tls-cert', cert, '--tls-key', key, '--demo', '--rate', '0'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  clouds.push(proc);
  let err = '';
  proc.stderr.on('data', (d) => (err += d));
  return new Promise((resolvePromise, reject) => {
    let out = '';
    proc.stdout.on('data', (d) => {
      out += d;
      const m = out.match(/listening on (https:\/\/\S+)/);
      if (m) resolvePromise(m[1].replace('127.0.0.1', 'localhost'));
    });
    proc.on('exit', (code) => reject(new Error(`stepup-cloud exited (${code}):\n${err}`)));
  });
}

/** A JSON request over HTTPS trusting `ca` (what a channel's servers do to reach the cloud). */
function post(url, ca, body, headers = {}) {
  return new Promise((resolvePromise, reject) => {
    const data = JSON.stringify(body);
    const req = request(url, {
      method: 'POST',
      ca: readFileSync(ca),
      headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(data), ...headers },
    }, (res) => {
      let text = '';
      res.on('data', (d) => (text += d));
      res.on('end', () => resolvePromise({ status: res.statusCode, json: text ? JSON.parse(text) : null }));
    });
    req.on('error', reject);
    req.end(data);
  });
}

before(async () => {
  assert.ok(existsSync(application), `build the app first: ${application}`);
  assert.ok(existsSync(cloudBin), `build the cloud first: ${cloudBin}`);
  home = mkdtempSync(join(tmpdir(), 'stepup-e2e-tls-'));
  const shop = makeCa(home, 'noor');
  const stranger = makeCa(home, 'stranger');
  const [shopUrl, strangerUrl] = await Promise.all([startCloud(shop), startCloud(stranger)]);
  Object.assign(globalThis, { shop: { ...shop, url: shopUrl }, stranger: { url: strangerUrl } });
  driver = await startDriver({ env: appEnv(home, { STEPUP_EXTRA_CA_FILE: shop.ca }) });
});

after(async () => {
  await driver?.stop();
  for (const c of clouds) c.kill('SIGTERM');
  if (home) rmSync(home, { recursive: true, force: true });
});

async function signIn(app, server) {
  await app.execute(`
    for (const [id, v] of [['signin-server', arguments[0]], ['signin-email', 'owner@noor.demo'], ['signin-password', 'stepup-demo']]) {
      const i = document.querySelector('[data-testid="' + id + '"]');
      i.value = v;
      i.dispatchEvent(new Event('input', { bubbles: true }));
    }`, [server]);
  await app.click('[data-testid="signin-submit"]');
}

test('over TLS with the shop\'s own CA: refused when untrusted or plain, then sign in, sync, live, reply', async () => {
  const { shop, stranger } = globalThis;
  const app = await Session.start(driver.url, application, { implicitMs: 60_000 });
  try {
    await app.find('[data-testid="signin"]');

    // A cloud whose CA this computer does not know: the reason, nothing signed in.
    await signIn(app, stranger.url);
    await app.find('[data-testid="signin-error"]');
    assert.match(await app.text('[data-testid="signin-error"]'), /does not trust the server's certificate/);
    assert.equal(await app.text('[data-testid="signin-error-detail"]'), 'signed by an unknown certificate authority');
    await app.screenshot(join(shots, 'signin-untrusted-certificate-en.png'));

    // Plain http:// to another computer would send the password in clear: refused.
    await signIn(app, 'http://cloud.noor.example');
    await app.waitUntil(`return /http:\\/\\//.test(document.querySelector('[data-testid="signin-error"]')?.textContent ?? '') && /unencrypted/.test(document.querySelector('[data-testid="signin-error"]').textContent);`);
    await app.click('[data-testid="language-switch"]');
    await app.find('html[dir="rtl"]');
    await signIn(app, 'http://cloud.noor.example');
    await app.waitUntil(`return /دون تشفير/.test(document.querySelector('[data-testid="signin-error"]')?.textContent ?? '');`);
    // The addresses inside the Arabic sentence read left to right.
    const ltr = await app.execute(`
      const t = document.querySelector('[data-testid="signin-error"]').firstChild;
      const at = (i) => { const r = document.createRange(); r.setStart(t, i); r.setEnd(t, i + 1); return r.getBoundingClientRect().left; };
      const i = t.textContent.indexOf('http://');
      return at(i) < at(i + 6);`);
    assert.equal(ltr, true, 'http:// is drawn left to right in the Arabic sentence');
    await app.screenshot(join(shots, 'signin-insecure-ar.png'));
    await signIn(app, stranger.url);
    await app.waitUntil(`return /لا يثق بشهادة الخادم/.test(document.querySelector('[data-testid="signin-error"]')?.textContent ?? '');`);
    await app.screenshot(join(shots, 'signin-untrusted-certificate-ar.png'));
    await app.click('[data-testid="language-switch"]');
    await app.find('html[dir="ltr"]');

    // The shop's cloud: signed in over HTTPS, the cache fills, the WSS stream is live.
    await signIn(app, shop.url);
    await app.find('[data-testid="sync-state"].sync-online');
    await app.waitUntil(`return Number(document.querySelector('[data-testid="conversation-list"]')?.dataset.count) > 200;`);

    // A visitor writes on the shop's website; it arrives through the stream.
    const session = await post(`${shop.url}/webchat/v1/sessions`, shop.ca, { name: 'Maryam مريم', language: 'ar' });
    assert.equal(session.status, 201);
    const said = await post(`${shop.url}/webchat/v1/messages`, shop.ca,
      { client_message_id: 'tls-1', text: 'هل الطلب جاهز؟ is my order ready?' },
      { authorization: `Bearer ${session.json.visitor_token}` });
    assert.ok(said.status < 300, `visitor message: ${said.status}`);
    const rowNamed = `return [...document.querySelectorAll('[data-testid="conversation-row"]')].some((r) => r.querySelector('.name')?.textContent === arguments[0]);`;
    await app.waitUntil(rowNamed, ['Maryam مريم']);
    await app.execute(`[...document.querySelectorAll('[data-testid="conversation-row"]')].find((r) => r.querySelector('.name')?.textContent === arguments[0]).click();`, ['Maryam مريم']);
    await app.waitUntil(`return [...document.querySelectorAll('[data-testid="message"].inbound .text')].some((p) => p.textContent === arguments[0]);`, ['هل الطلب جاهز؟ is my order ready?']);

    // The reply leaves over HTTPS and the cloud accepts it.
    const reply = 'نعم، طلبك جاهز ✅ ready for pickup';
    await app.type('[data-testid="composer"]', reply);
    // Enter sends (a click could land beside the button if suggestions arrive and move it).
    await app.execute(`document.querySelector('[data-testid="composer"]').dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true }));`);
    await app.waitUntil(`return [...document.querySelectorAll('.bubble.outbound[data-status]')].some((b) => b.textContent.includes(arguments[0]) && ['sent', 'delivered'].includes(b.dataset.status));`, [reply]);
    await app.screenshot(join(shots, 'conversation-over-tls-en.png'));

    // This cloud keeps the real 30-day snapshot: over 90 days the analytics say from when the
    // message figures are complete.
    await app.click('[data-testid="nav-analytics"]');
    await app.click('[data-testid="range-last90"]');
    await app.find('[data-testid="analytics-incomplete"]');
    assert.match(await app.text('[data-testid="analytics-incomplete"]'), /holds the workspace's messages from/);
    await app.screenshot(join(shots, 'analytics-incomplete-en.png'));
    await app.click('[data-testid="language-switch"]');
    await app.find('html[dir="rtl"]');
    assert.match(await app.text('[data-testid="analytics-incomplete"]'), /يحتفظ هذا الجهاز برسائل مساحة العمل ابتداءً من/);
    await app.screenshot(join(shots, 'analytics-incomplete-ar.png'));
    // Fetching the older messages over HTTPS: the period becomes complete and the label goes.
    await app.click('[data-testid="fetch-history"]');
    await app.waitUntil(`return !document.querySelector('[data-testid="analytics-incomplete"]');`);
    await app.screenshot(join(shots, 'analytics-complete-ar.png'));
  } catch (err) {
    await app.screenshot(join(shots, 'failed-tls.png')).catch(() => {});
    throw err;
  } finally {
    await app.end();
  }
});
