// An installed app updates itself: this run's .deb (the current version, trusting the run's test
// key) is installed with apt and started in demo mode; the demo's cloud offers a newer version
// built in the same run and signed with that key (`./dev test` builds both: see
// build_newer_release). First the release's manifest carries a signature made with another key:
// the app refuses it, says so, and nothing is installed. Then, with the right signature, the agent
// is asked (not while writing a reply), the package is installed by the system's installer and
// the app starts again as the newer version. Needs root or sudo, as installing any package does.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Key, Session, appEnv, startDriver } from './webdriver.mjs';
import { targetDir } from './target.mjs';
import { root, shots } from './fixtures.mjs';

const PACKAGE = 'stepup';
const COMMAND = '/usr/bin/stepup-desktop';
const testDir = process.env.STEPUP_UPDATE_TEST_DIR ?? join(targetDir, 'debug', 'update-test');
const newerDir = join(testDir, 'newer');
const olderDir = join(targetDir, 'debug', 'bundle', 'deb');

const NOTES = {
  en: 'Faster search.\nA calmer inbox.',
  ar: 'بحث أسرع.\nصندوق وارد أهدأ.',
};

function asRoot(cmd, args) {
  const [file, argv] = process.getuid?.() === 0 ? [cmd, args] : ['sudo', ['-n', cmd, ...args]];
  const r = spawnSync(file, argv, { encoding: 'utf8', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  assert.equal(r.status, 0, `${cmd} ${args.join(' ')} failed (root, or sudo without a password, is needed):\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

const installedVersion = () =>
  spawnSync('dpkg-query', ['-W', '-f=${Status} ${Version}', PACKAGE], { encoding: 'utf8' }).stdout.match(/install ok installed (\S+)/)?.[1] ?? null;

const one = (dir, suffix) => {
  assert.ok(existsSync(dir), `./dev test builds it first: ${dir}`);
  const file = readdirSync(dir).find((f) => f.endsWith(suffix));
  assert.ok(file, `no ${suffix} in ${dir}`);
  return join(dir, file);
};

/** The Tauri CLI, as the release pipeline runs it. */
const tauri = (...args) => execFileSync('npx', ['--no-install', 'tauri', ...args], { cwd: join(root, 'ui'), encoding: 'utf8' });

/** Publishes the newer .deb in `releases` with `signature` (the .sig's content) in its manifest. */
function publish(releases, version, deb, signature) {
  const folder = join(releases, version);
  mkdirSync(folder, { recursive: true });
  const file = deb.split('/').pop();
  copyFileSync(deb, join(folder, file));
  const manifest = {
    version,
    pub_date: '2026-12-04T09:00:00Z',
    rollout_percent: 100,
    notes: NOTES,
    platforms: { 'linux-x86_64-deb': { file, signature } },
  };
  writeFileSync(join(folder, 'release.json'), JSON.stringify(manifest));
}

let home;
let driver;

before(() => {
  home = mkdtempSync(join(tmpdir(), 'stepup-e2e-update-'));
  if (installedVersion()) asRoot('dpkg', ['-r', PACKAGE]);
});

after(async () => {
  await driver?.stop();
  if (installedVersion()) asRoot('dpkg', ['-r', PACKAGE]);
  if (home) rmSync(home, { recursive: true, force: true });
});

test('an installed app refuses a badly signed update, then installs a signed one and starts again as it', async () => {
  const older = one(olderDir, '.deb');
  const newer = one(newerDir, '.deb');
  const newerVersion = readFileSync(join(newerDir, 'version'), 'utf8').trim();
  const goodSignature = readFileSync(`${newer}.sig`, 'utf8').trim();

  asRoot('apt-get', ['install', '-y', '--no-install-recommends', older]);
  const olderVersion = installedVersion();
  assert.ok(olderVersion && olderVersion !== newerVersion, `${olderVersion} installed`);

  // A well-formed signature, bound to the version, but made with a key this build does not trust.
  const keys = join(home, 'intruder');
  tauri('signer', 'generate', '--ci', '-p', '', '-f', '-w', keys);
  const copy = join(home, 'copy.deb');
  copyFileSync(newer, copy);
  tauri('signer', 'sign', '-f', keys, '-p', '', '--app-version', newerVersion, copy);
  const badSignature = readFileSync(`${copy}.sig`, 'utf8').trim();
  const releases = join(home, 'releases');
  publish(releases, newerVersion, newer, badSignature);

  const env = appEnv(home, { STEPUP_DEMO: '1', STEPUP_DEMO_RATE: '0', STEPUP_DEMO_UPDATES_DIR: releases });
  driver = await startDriver({ env });
  let app = await Session.start(driver.url, COMMAND, { implicitMs: 60_000 });
  try {
    await app.find('[data-testid="sync-state"].sync-online');
    // Checked at start: on offer, quietly, in the app bar.
    assert.match(await app.text('[data-testid="update-ready"]'), new RegExp(newerVersion.replaceAll('.', '\\.')));

    // In Arabic, the notes are the Arabic ones, as text, line breaks kept.
    await app.click('[data-testid="language-switch"]');
    await app.waitUntil(`return document.documentElement.lang === 'ar';`);
    await app.click('[data-testid="update-ready"]');
    assert.equal(await app.execute(`return document.querySelector('[data-testid="update-notes"]').textContent;`), NOTES.ar);
    assert.equal(await app.attribute('[data-testid="update-notes"]', 'dir'), 'auto');
    await app.screenshot(join(shots, 'update-ar.png'));

    // Signed with another key: refused, said, nothing installed.
    await app.click('[data-testid="update-install"]');
    const refusal = await app.text('[data-testid="update-failure"]');
    assert.match(refusal, /ليس موقّعاً من Stepup/);
    assert.match(refusal, /لم يُثبَّت شيء/);
    assert.equal(installedVersion(), olderVersion);
    await app.screenshot(join(shots, 'update-refused-ar.png'));
    await app.click('[data-testid="update-later"]');

    // Never in the middle of a reply: with a draft, installing waits for it.
    await app.click('[data-testid="language-switch"]');
    await app.waitUntil(`return document.documentElement.lang === 'en';`);
    await app.click('[data-testid="conversation-row"]');
    await app.click('[data-testid="mode-note"]');
    await app.type('[data-testid="composer"]', 'Refund approved, tell her today');
    await app.click('[data-testid="update-ready"]');
    await app.find('[data-testid="update-replying"]');
    assert.equal(await app.attribute('[data-testid="update-install"]', 'disabled'), 'true');
    await app.screenshot(join(shots, 'update-replying-en.png'));
    await app.keys(Key.Escape);
    await app.execute(`const f = document.querySelector('[data-testid="composer"]'); f.value = ''; f.dispatchEvent(new Event('input', { bubbles: true }));`);

    // The release fixed (signed with the test key): checked again from Settings, and installed.
    publish(releases, newerVersion, newer, goodSignature);
    await app.click('[data-testid="nav-settings"]');
    await app.click('[data-testid="update-check"]');
    await app.waitUntil(`return !document.querySelector('[data-testid="update-check"]').disabled;`);
    await app.click('[data-testid="update-show"]');
    assert.equal(await app.countNow('[data-testid="update-failure"]'), 0, 'the fresh check clears the refusal');
    assert.equal(await app.countNow('[data-testid="update-replying"]'), 0);
    await app.screenshot(join(shots, 'update-en.png'));
    await app.click('[data-testid="update-install"]');

    // dpkg replaced the package; the app went down and came back up as the new version.
    const deadline = Date.now() + 120_000;
    while (installedVersion() !== newerVersion) {
      assert.ok(Date.now() < deadline, `still ${installedVersion()} after two minutes:\n${driver.output()}`);
      await new Promise((r) => setTimeout(r, 250));
    }
    const log = () => driver.output().replace(/\x1b\[[0-9;]*m/g, '');
    while (!log().includes(`version=${newerVersion}`)) {
      assert.ok(Date.now() < deadline, `the new version did not start:\n${driver.output()}`);
      await new Promise((r) => setTimeout(r, 250));
    }
  } finally {
    await app.end().catch(() => undefined);
    await driver.stop();
    driver = null;
  }

  // Started again by hand: the new version, with nothing newer on offer.
  driver = await startDriver({ env });
  app = await Session.start(driver.url, COMMAND, { implicitMs: 60_000 });
  try {
    await app.find('[data-testid="sync-state"].sync-online');
    await app.click('[data-testid="nav-settings"]');
    assert.match(await app.text('[data-testid="about-version"]'), new RegExp(newerVersion.replaceAll('.', '\\.')));
    await app.click('[data-testid="update-check"]');
    await app.waitUntil(`return /up to date/.test(document.querySelector('[data-testid="update-status"]').textContent);`);
    assert.equal(await app.countNow('[data-testid="update-ready"]'), 0);
    await app.click('[data-testid="language-switch"]');
    await app.waitUntil(`return /محدَّث/.test(document.querySelector('[data-testid="update-status"]').textContent);`);
    await app.execute(`document.querySelector('[data-testid="update-status"]').scrollIntoView({ block: 'center' });`);
    await app.screenshot(join(shots, 'updated-ar.png'));
  } finally {
    await app.end();
    await driver.stop();
    driver = null;
  }
});
