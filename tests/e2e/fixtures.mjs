// What the end-to-end tests start besides the app: the demo app under tauri-driver (its before/
// after hooks), the recording notification server on this D-Bus session, and `stepup-cloud`
// without demo data with its admin commands.
import { before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { appEnv, startDriver } from './webdriver.mjs';
import { binary, root } from './target.mjs';

export { root };
export const application = process.env.STEPUP_APP ?? binary('debug', 'stepup-desktop');
export const cloudBin = process.env.STEPUP_CLOUD ?? binary('debug', 'stepup-cloud');
export const notifyServerBin = process.env.STEPUP_NOTIFY_SERVER ?? binary('debug', 'stepup-notify-test-server');
export const shots = join(root, 'tests/artifacts/screenshots');

/** The app in demo mode (no live traffic) for the file's tests: `driver` and `home` are set
 * before they run, and stopped and removed after. */
export function demoApp(name) {
  const app = { driver: null, home: null };
  before(async () => {
    assert.ok(existsSync(application), `build the app first: ${application}`);
    app.home = mkdtempSync(join(tmpdir(), `stepup-e2e-${name}-`));
    app.driver = await startDriver({ env: appEnv(app.home, { STEPUP_DEMO: '1', STEPUP_DEMO_RATE: '0' }) });
  });
  after(async () => {
    await app.driver?.stop();
    if (app.home) rmSync(app.home, { recursive: true, force: true });
  });
  return app;
}

/** The recording notification server: its JSON lines, and a way to wait for one. */
export function startNotificationServer() {
  const proc = spawn(notifyServerBin, [], { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = [];
  const waiters = [];
  const exited = new Promise((r) => proc.on('exit', r));
  createInterface({ input: proc.stdout }).on('line', (line) => {
    const value = JSON.parse(line);
    lines.push(value);
    for (const w of [...waiters]) {
      if (w.pick(value)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(value);
      }
    }
  });
  return {
    lines,
    /** The first line (seen or to come) that `pick` accepts, or a rejection after `ms`. */
    waitFor(pick, ms, what) {
      const seen = lines.find(pick);
      if (seen) return Promise.resolve(seen);
      return new Promise((resolvePromise, reject) => {
        const w = { pick, resolve: resolvePromise };
        waiters.push(w);
        setTimeout(() => {
          if (waiters.includes(w)) {
            waiters.splice(waiters.indexOf(w), 1);
            reject(new Error(`no ${what} within ${ms} ms; recorded: ${JSON.stringify(lines, null, 1)}`));
          }
        }, ms);
      });
    },
    send(command) {
      proc.stdin.write(`${command}\n`);
    },
    async stop() {
      proc.stdin.end();
      proc.kill('SIGTERM');
      await exited;
    },
  };
}

/** `stepup-cloud <args> --data-dir <dataDir>` (the admin commands), its output's lines. */
export function cloudAdmin(dataDir, env, ...args) {
  return execFileSync(cloudBin, [...args, '--data-dir', dataDir], { env, encoding: 'utf8' }).trim().split('\n');
}

/** Starts `stepup-cloud` without demo data on `port`; resolves once it listens. Its log goes to
 * `onLog`. */
export function startCloud({ port, dataDir, env, onLog = () => {} }) {
  const proc = spawn(cloudBin, ['--listen', `127.0.0.1:${port}`, '--data-dir', dataDir], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let err = '';
  proc.stderr.on('data', (d) => {
    err += d;
    onLog(d);
  });
  const exited = new Promise((r) => proc.on('exit', r));
  return new Promise((resolvePromise, reject) => {
    let out = '';
    proc.stdout.on('data', (d) => {
      out += d;
      if (/listening on http:\/\/\S+/.test(out)) resolvePromise({ proc, exited });
    });
    proc.on('exit', (code) => reject(new Error(`stepup-cloud exited (${code}):\n${err}`)));
  });
}

/** Signs in from the sign-in screen and waits until the inbox is online. */
export async function signIn(app, server, email, password) {
  await app.find('[data-testid="signin"]');
  await app.execute(`
    for (const [id, v] of [['signin-server', arguments[0]], ['signin-email', arguments[1]], ['signin-password', arguments[2]]]) {
      const i = document.querySelector('[data-testid="' + id + '"]');
      i.value = v;
      i.dispatchEvent(new Event('input', { bubbles: true }));
    }`, [server, email, password]);
  await app.click('[data-testid="signin-submit"]');
  await app.waitUntil(`return document.querySelector('[data-testid="sync-state"]')?.classList.contains('sync-online') && !document.querySelector('[data-testid="signin"]');`);
}

/** A Web Chat visitor on the cloud at `cloud`, as the website widget opens one: returns a function
 * that sends one message. */
export async function visitor(cloud, name, language = 'ar') {
  const res = await fetch(`${cloud}/webchat/v1/sessions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name, language }),
  });
  assert.equal(res.status, 201);
  const { visitor_token: token } = await res.json();
  let serial = 0;
  return async (text) => {
    const r = await fetch(`${cloud}/webchat/v1/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ client_message_id: `e2e-${(serial += 1)}`, text }),
    });
    assert.ok(r.ok, `visitor message: ${r.status}`);
  };
}
