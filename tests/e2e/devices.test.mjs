// End to end, devices and remote wipe, against a `stepup-cloud` with its own settings (no demo):
// the agent sees their signed-in devices in Settings and signs one out (it is told to erase
// itself); then the workspace signs this computer out, and the app erases its cache, files and
// keys at once and says so, in English and in Arabic.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Session, appEnv, freePort, startDriver } from './webdriver.mjs';
import { application, cloudAdmin, cloudBin, shots, signIn as signInTo, startCloud } from './fixtures.mjs';

const PASSWORD = 'devices-2026-noor';
const EMAIL = 'owner@noor.shop';
const cloudEnv = { ...process.env, STEPUP_CLOUD_KEY: randomBytes(32).toString('hex'), STEPUP_ADMIN_PASSWORD: PASSWORD };

let home;
let cloud;
let url;
let driver;

before(async () => {
  for (const f of [application, cloudBin]) assert.ok(existsSync(f), `build it first: ${f}`);
  home = mkdtempSync(join(tmpdir(), 'stepup-e2e-devices-'));
  const dataDir = join(home, 'cloud');
  cloudAdmin(dataDir, cloudEnv, 'workspace', 'create', '--name', 'Noor Perfumes · عطور نور', '--admin-email', EMAIL, '--admin-name', 'Huda هدى');
  const port = await freePort();
  url = `http://127.0.0.1:${port}`;
  cloud = await startCloud({ port, dataDir, env: cloudEnv });
  driver = await startDriver({ env: appEnv(home) });
});

after(async () => {
  await driver?.stop();
  cloud?.proc.kill('SIGTERM');
  if (home) rmSync(home, { recursive: true, force: true });
});

async function api(method, path, token, body) {
  const r = await fetch(`${url}${path}`, {
    method,
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  return { status: r.status, body: r.status === 204 ? null : await r.json() };
}

/** Another device of the same agent signs in. */
const otherDevice = async (name, os) => (await api('POST', '/v1/auth/login', null, { email: EMAIL, password: PASSWORD, device: { name, os } })).body;

const signIn = (app) => signInTo(app, url, EMAIL, PASSWORD);

const deviceNames = `return [...document.querySelectorAll('[data-testid="device-name"]')].map((n) => n.textContent);`;

/** The cache files of this computer's accounts. */
function caches() {
  const dir = join(home, 'data', 'accounts', 'accounts');
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true }).filter((f) => String(f).endsWith('cache.db'));
}

/** Revokes the app's own device from another device, as an admin of the shop would. */
async function revokeThisComputer(by) {
  const { body: list } = await api('GET', '/v1/devices', by.access_token);
  const app = list.find((d) => !d.this_device && d.os !== 'iOS');
  assert.ok(app, JSON.stringify(list));
  assert.equal((await api('DELETE', `/v1/devices/${app.id}`, by.access_token)).status, 204);
}

/** Exports the cache encrypted with a passphrase from Settings; returns the file's path. */
async function exportEncrypted(app, shot) {
  await app.click('[data-testid="export-encrypt"]');
  await app.execute(`
    const i = document.querySelector('[data-testid="export-passphrase"]');
    i.value = arguments[0];
    i.dispatchEvent(new Event('input', { bubbles: true }));`, ['نور للعطور 2026 export']);
  await app.execute(`document.querySelector('[data-testid="export-passphrase"]').scrollIntoView({ block: 'center' });`);
  await app.screenshot(join(shots, shot));
  await app.click('[data-testid="export"]');
  await app.find('[data-testid="exported"]');
  const path = (await app.text('[data-testid="exported"] .path')).trim();
  assert.match(path, /\.json\.age$/);
  assert.ok(readFileSync(path).toString('latin1').startsWith('age-encryption.org/v1\n-> scrypt '), 'an age file');
  assert.equal(statSync(path).mode & 0o777, 0o600);
  return path;
}

test('signed-in devices: sign one out from Settings; this computer signed out by the workspace erases itself, in English and Arabic', async () => {
  const app = await Session.start(driver.url, application, { implicitMs: 60_000 });
  try {
    await signIn(app);
    assert.equal(caches().length, 1);
    const desk = await otherDevice('Front desk PC · مكتب الاستقبال', 'Windows');

    // Settings lists both devices, this computer marked and without a sign-out button.
    await app.click('[data-testid="nav-settings"]');
    await app.waitUntil(`return document.querySelectorAll('[data-testid="device"]').length === 2;`);
    const names = await app.execute(deviceNames);
    assert.ok(names.includes('Front desk PC · مكتب الاستقبال'), names.join());
    assert.equal(await app.execute(`return document.querySelectorAll('[data-testid="device-this"]').length;`), 1);
    await app.execute(`(document.querySelector('[data-testid="devices"]').closest('section') ?? document.querySelector('[data-testid="devices"]')).scrollIntoView();`);
    await app.screenshot(join(shots, 'devices-en.png'));
    // The export, encrypted with a passphrase (an age file only its owner may read).
    await exportEncrypted(app, 'export-encrypted-en.png');

    // Sign the front desk out: asked first, then gone; the front desk is told to erase itself.
    await app.click('[data-testid="device-sign-out"]');
    await app.find('[data-testid="device-confirm"]');
    await app.click('[data-testid="device-sign-out-confirm"]');
    await app.waitUntil(`return document.querySelectorAll('[data-testid="device"]').length === 1;`);
    const refused = await api('POST', '/v1/auth/refresh', null, { refresh_token: desk.refresh_token });
    assert.equal(refused.status, 401);
    assert.equal(refused.body.code, 'device_revoked');
    assert.equal(refused.body.wipe.device_id, desk.device.device_id);

    // The shop's admin signs this computer out from a phone: the app erases its data and says so.
    const phone = await otherDevice('Huda’s phone', 'iOS');
    await revokeThisComputer(phone);
    await app.find('[data-testid="erased"]');
    assert.match(await app.text('[data-testid="erased-body"]'), /owner@noor\.shop/);
    assert.deepEqual(caches(), [], 'the cache is gone');
    await app.screenshot(join(shots, 'erased-en.png'));

    // Sign in again, in Arabic: the same, mirrored.
    await app.click('[data-testid="erased-sign-in"]');
    await app.find('[data-testid="signin"]');
    await app.click('[data-testid="language-switch"]');
    await app.find('html[dir="rtl"]');
    await signIn(app);
    assert.equal(caches().length, 1);
    await app.click('[data-testid="nav-settings"]');
    await app.waitUntil(`return document.querySelectorAll('[data-testid="device"]').length === 2;`);
    await app.execute(`(document.querySelector('[data-testid="devices"]').closest('section') ?? document.querySelector('[data-testid="devices"]')).scrollIntoView();`);
    await app.screenshot(join(shots, 'devices-ar.png'));
    await exportEncrypted(app, 'export-encrypted-ar.png');
    await revokeThisComputer(phone);
    await app.find('[data-testid="erased"]');
    await app.find('html[dir="rtl"]');
    assert.deepEqual(caches(), []);
    await app.screenshot(join(shots, 'erased-ar.png'));
    // Nothing of it is left readable by others on this computer meanwhile.
    const data = join(home, 'data');
    // (`exports` stands for the Downloads folder here: the app leaves that folder's mode alone,
    // and its exports are 0600.)
    for (const f of readdirSync(data, { recursive: true })) {
      if (String(f) === 'exports') continue;
      const mode = statSync(join(data, String(f))).mode & 0o077;
      assert.equal(mode, 0, `${f} is readable by others`);
    }
  } finally {
    await app.end();
  }
});
