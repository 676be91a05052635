// The installer as a shop installs it: the .deb built from this run's debug build is installed into
// this machine with apt, the installed app is started from its desktop entry's command (demo mode)
// and checked through WebDriver, its stepup:// handler and icon are checked, and then it is removed
// and what is left is checked. The .rpm is read back for the same files. Needs root or sudo (as
// installing any package does); `./dev test` builds both packages first.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Session, appEnv, startDriver } from './webdriver.mjs';
import { targetDir } from './target.mjs';
import { shots } from './fixtures.mjs';

const bundles = join(targetDir, 'debug', 'bundle');
const PACKAGE = 'stepup';
const ENTRY = '/usr/share/applications/Stepup.desktop';

/** Runs a command as root: directly when we are, else through `sudo -n`. */
function asRoot(cmd, args, options = {}) {
  const [file, argv] = process.getuid?.() === 0 ? [cmd, args] : ['sudo', ['-n', cmd, ...args]];
  const r = spawnSync(file, argv, { encoding: 'utf8', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' }, ...options });
  assert.equal(r.status, 0, `${cmd} ${args.join(' ')} failed (root, or sudo without a password, is needed):\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

const packageFile = (kind) => {
  const dir = join(bundles, kind);
  assert.ok(existsSync(dir), `build the installers first (./dev test does): ${dir}`);
  const file = readdirSync(dir).find((f) => f.endsWith(`.${kind}`));
  assert.ok(file, `no .${kind} in ${dir}`);
  return join(dir, file);
};

const installed = () => spawnSync('dpkg-query', ['-W', '-f=${Status}', PACKAGE], { encoding: 'utf8' }).stdout.includes('install ok installed');

let home;
let driver;

before(() => {
  home = mkdtempSync(join(tmpdir(), 'stepup-e2e-install-'));
  // A package left by an earlier run that stopped halfway.
  if (installed()) asRoot('dpkg', ['-r', PACKAGE]);
});

after(async () => {
  await driver?.stop();
  if (installed()) asRoot('dpkg', ['-r', PACKAGE]);
  if (home) rmSync(home, { recursive: true, force: true });
});

test('the .deb installs, starts from its desktop entry, handles stepup:// links, and removes cleanly', async () => {
  const deb = packageFile('deb');
  const fields = execFileSync('dpkg-deb', ['--field', deb, 'Package', 'Depends'], { encoding: 'utf8' });
  assert.match(fields, new RegExp(`^Package: ${PACKAGE}$`, 'm'));
  // What the app links against besides the web view, so apt brings it on a fresh machine.
  for (const dep of ['libwebkit2gtk-4.1-0', 'libssl3', 'libopus0']) assert.match(fields, new RegExp(dep), fields);
  // Packed again with xz, as the shipped package is (./dev repack_deb), and still installable.
  const members = execFileSync('ar', ['t', deb], { encoding: 'utf8' }).split('\n');
  assert.ok(members.includes('data.tar.xz'), members.join(' '));

  asRoot('apt-get', ['install', '-y', '--no-install-recommends', deb]);
  assert.ok(installed());

  // The desktop entry: valid, its command (given the link it opens), its icon, its link scheme.
  execFileSync('desktop-file-validate', [ENTRY]);
  const entry = readFileSync(ENTRY, 'utf8');
  assert.match(entry, /^Exec=\S+ %u$/m, 'a stepup:// link reaches the app');
  assert.match(entry, /^Comment\[ar\]=/m);
  const exec = entry.match(/^Exec=(\S+)/m)?.[1];
  assert.ok(exec, entry);
  const command = exec.startsWith('/') ? exec : execFileSync('sh', ['-c', `command -v ${exec}`], { encoding: 'utf8' }).trim();
  assert.ok(statSync(command).mode & 0o111, `${command} is executable`);
  assert.match(entry, /^MimeType=.*x-scheme-handler\/stepup;/m);
  const icon = entry.match(/^Icon=(\S+)/m)?.[1];
  assert.ok(icon && existsSync(`/usr/share/icons/hicolor/128x128/apps/${icon}.png`), `icon ${icon}`);

  // The system knows the app opens stepup:// links (the MIME cache the package's triggers update).
  const cache = readFileSync('/usr/share/applications/mimeinfo.cache', 'utf8');
  assert.match(cache, /^x-scheme-handler\/stepup=.*Stepup\.desktop/m);

  // Started as the desktop starts it: the installed binary, in demo mode, through WebDriver.
  driver = await startDriver({ env: appEnv(home, { STEPUP_DEMO: '1', STEPUP_DEMO_RATE: '0' }) });
  const app = await Session.start(driver.url, command, { implicitMs: 60_000 });
  try {
    await app.find('[data-testid="sync-state"].sync-online');
    await app.waitUntil(`return Number(document.querySelector('[data-testid="conversation-list"]')?.dataset.count) > 200;`);
    assert.equal(await app.text('[data-testid="app-name"]'), 'Stepup');
    await app.screenshot(join(shots, 'installed-en.png'));
  } finally {
    await app.end();
    await driver.stop();
    driver = null;
  }

  // Removed: nothing of the package is left on the system; the agent's own data is theirs.
  asRoot('dpkg', ['-r', PACKAGE]);
  assert.ok(!installed());
  for (const path of [command, ENTRY, `/usr/share/icons/hicolor/128x128/apps/${icon}.png`]) {
    assert.ok(!existsSync(path), `${path} is gone`);
  }
  assert.doesNotMatch(readFileSync('/usr/share/applications/mimeinfo.cache', 'utf8'), /Stepup\.desktop/);
  assert.ok(existsSync(join(home, 'data')), 'the demo data in the home folder stays');
});

test('the .rpm carries the same app, entry and icon', () => {
  const rpm = packageFile('rpm');
  const files = execFileSync('rpm', ['-qpl', rpm], { encoding: 'utf8' });
  assert.match(files, /^\/usr\/bin\/stepup-desktop$/m);
  assert.match(files, /^\/usr\/share\/applications\/Stepup\.desktop$/m);
  assert.match(files, /^\/usr\/share\/icons\/hicolor\/128x128\/apps\/stepup-desktop\.png$/m);
  const requires = execFileSync('rpm', ['-qpR', rpm], { encoding: 'utf8' });
  assert.match(requires, /^libwebkit2gtk-4\.1\.so\.0/m);
  assert.match(requires, /^openssl-libs$/m);
});
