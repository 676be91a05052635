// A big workspace's first sign-in: the inbox lists the newest conversations as soon as the
// first page of the sync is in, with a thin progress line under the list's heading while the
// rest comes in (no banner), in English and Arabic; then the whole workspace is there.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Session, appEnv, startDriver } from './webdriver.mjs';
import { binary, root } from './target.mjs';

const application = process.env.STEPUP_APP ?? binary('debug', 'stepup-desktop');
const fixtureBin = binary('debug', 'desktop-fixture');
const shots = join(root, 'tests/artifacts/screenshots');
const CONVERSATIONS = 20_000;

let home;
let driver;
let fixture;
let cloudUrl;

/** The cloud of a big workspace; resolves with its URL once it serves. */
function startFixture() {
  fixture = spawn(fixtureBin, ['--cloud-only', '--conversations', String(CONVERSATIONS), '--per', '2'], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let err = '';
  fixture.stderr.on('data', (d) => (err += d));
  return new Promise((resolvePromise, reject) => {
    let out = '';
    let url = null;
    fixture.stdout.on('data', (d) => {
      out += d;
      url ??= out.match(/^url (\S+)$/m)?.[1] ?? null;
      if (url && /^ready$/m.test(out)) resolvePromise(url);
    });
    fixture.on('exit', (code) => reject(new Error(`desktop-fixture exited (${code}):\n${err}`)));
  });
}

before(async () => {
  assert.ok(existsSync(application), `build the app first: ${application}`);
  assert.ok(existsSync(fixtureBin), `build the fixture first: ${fixtureBin}`);
  home = mkdtempSync(join(tmpdir(), 'stepup-e2e-first-sync-'));
  cloudUrl = await startFixture();
  driver = await startDriver({ env: appEnv(home) });
});

after(async () => {
  await driver?.stop();
  fixture?.stdin.end();
  fixture?.kill('SIGTERM');
  if (home) rmSync(home, { recursive: true, force: true });
});

test('a big workspace is usable from the first page of its first sync', async () => {
  const app = await Session.start(driver.url, application, { implicitMs: 60_000 });
  try {
    await app.find('[data-testid="signin"]');
    await app.execute(`
      for (const [id, v] of [['signin-server', arguments[0]], ['signin-email', 'supervisor@bench.test'], ['signin-password', 'bench-password']]) {
        const i = document.querySelector('[data-testid="' + id + '"]');
        i.value = v;
        i.dispatchEvent(new Event('input', { bubbles: true }));
      }`, [cloudUrl]);
    await app.click('[data-testid="signin-submit"]');

    // Rows on screen while the sync still runs: the newest conversation leads the list.
    const listedWhileSyncing = `
      const rows = document.querySelectorAll('[data-testid="conversation-row"]');
      return rows.length >= 9 && !!document.querySelector('[data-testid="initial-sync"]')
        && rows[0].querySelector('.name')?.textContent === arguments[0];`;
    const newest = CONVERSATIONS - 1;
    await app.waitUntil(listedWhileSyncing, [newest % 2 === 0 ? `عميل ${newest}` : `Customer ${newest}`]);
    // Quiet: a progress line, no banner above the inbox.
    assert.equal(await app.execute(`return document.querySelectorAll('.banner').length;`), 0);
    assert.equal(await app.execute(`return document.querySelector('[data-testid="initial-sync"]').tagName;`), 'PROGRESS');
    await app.screenshot(join(shots, 'first-sync-en.png'));
    await app.click('[data-testid="language-switch"]');
    await app.find('html[dir="rtl"]');
    if (await app.execute(`return !!document.querySelector('[data-testid="initial-sync"]');`)) {
      await app.screenshot(join(shots, 'first-sync-ar.png'));
    }

    // The rest arrives: the whole workspace, and the progress line goes.
    await app.find('[data-testid="sync-state"].sync-online');
    await app.waitUntil(`return Number(document.querySelector('[data-testid="conversation-list"]')?.dataset.count) === arguments[0];`, [CONVERSATIONS]);
    assert.equal(await app.execute(`return !!document.querySelector('[data-testid="initial-sync"]');`), false);
  } catch (err) {
    await app.screenshot(join(shots, 'failed-first-sync.png')).catch(() => {});
    throw err;
  } finally {
    await app.end();
  }
});
