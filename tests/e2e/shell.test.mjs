// End to end: the real built app in WebKitGTK, driven through tauri-driver.
// Run by scripts/dev test (which builds the app and starts Xvfb when needed).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, readFileSync, existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Session, appEnv, startDriver } from './webdriver.mjs';
import { binary, root } from './target.mjs';

const application = process.env.STEPUP_APP ?? binary('debug', 'stepup-desktop');
const shots = join(root, 'tests/artifacts/screenshots');

let driver;
let home;

before(async () => {
  assert.ok(existsSync(application), `build the app first: ${application}`);
  home = mkdtempSync(join(tmpdir(), 'stepup-e2e-'));
  driver = await startDriver({ env: appEnv(home) });
});

after(async () => {
  await driver?.stop();
  if (home) rmSync(home, { recursive: true, force: true });
});

const htmlIs = (lang, dir) => `html[lang="${lang}"][dir="${dir}"]`;

test('English shell, live switch to Arabic, persisted across a restart', async () => {
  let app = await Session.start(driver.url, application);
  try {
    await app.find(htmlIs('en', 'ltr'));
    // The window is created hidden and shows itself once its first screen is ready.
    const shown = await app.executeAsync(
      'const done = arguments[0];' +
        'if (document.visibilityState === "visible") return done(true);' +
        'document.addEventListener("visibilitychange", () => document.visibilityState === "visible" && done(true));',
    );
    assert.equal(shown, true);
    assert.equal(await app.text('[data-testid="app-name"]'), 'Stepup');
    assert.equal(await app.text('[data-testid="nav-inbox"]'), 'Inbox');
    assert.equal(await app.text('[data-testid="nav-analytics"]'), 'Analytics');
    assert.equal(await app.text('[data-testid="language-switch"]'), 'العربية');
    await app.screenshot(join(shots, 'shell-en.png'));

    // The switch flips the whole UI live: no reload (a marker survives).
    await app.execute('window.__noReload = true;');
    await app.click('[data-testid="language-switch"]');
    await app.find(htmlIs('ar', 'rtl'));
    assert.equal(await app.text('[data-testid="nav-inbox"]'), 'صندوق الوارد');
    assert.equal(await app.text('[data-testid="nav-settings"]'), 'الإعدادات');
    assert.equal(await app.text('[data-testid="language-switch"]'), 'English');
    assert.equal(await app.execute('return window.__noReload === true;'), true);
    // Mirrored layout: the sidebar sits on the right.
    const sidebarOnRight = await app.execute(
      'const r = document.querySelector(".sidebar").getBoundingClientRect();' +
        'return r.left > window.innerWidth / 2;',
    );
    assert.equal(sidebarOnRight, true);
    await app.screenshot(join(shots, 'shell-ar.png'));
  } finally {
    await app.end();
  }

  const settings = JSON.parse(readFileSync(join(home, 'data', 'settings.json'), 'utf8'));
  assert.equal(settings.locale, 'ar');

  app = await Session.start(driver.url, application);
  try {
    await app.find(htmlIs('ar', 'rtl'));
    assert.equal(await app.text('[data-testid="nav-analytics"]'), 'التحليلات');
    await app.click('[data-testid="nav-settings"]');
    await app.find('[data-testid="screen-settings"]');
    assert.equal(await app.text('[data-testid="about-locale"]'), 'العربية');
    await app.screenshot(join(shots, 'settings-ar.png'));
    await app.click('[data-testid="theme-dark"]');
    await app.find('html[data-theme="dark"]');
    await app.screenshot(join(shots, 'settings-ar-dark.png'));
    // Back to English from Settings.
    await app.click('[data-testid="language-en"]');
    await app.find(htmlIs('en', 'ltr'));
    assert.equal(await app.text('[data-testid="about-locale"]'), 'English');
    await app.screenshot(join(shots, 'settings-en-dark.png'));
    await app.click('[data-testid="theme-system"]');
  } finally {
    await app.end();
  }
});

test('a corrupt settings file starts the app with defaults', async () => {
  const file = join(home, 'data', 'settings.json');
  writeFileSync(file, '{"locale": "ar", "theme": ');
  const app = await Session.start(driver.url, application);
  try {
    await app.find(htmlIs('en', 'ltr'));
    assert.equal(await app.text('[data-testid="nav-inbox"]'), 'Inbox');
  } finally {
    await app.end();
  }
  assert.equal(readFileSync(`${file}.corrupt`, 'utf8'), '{"locale": "ar", "theme": ');
});
