// End to end: the real app in demo mode (the reference cloud in-process),
// reading from the encrypted cache and sending through the outbox.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Session, appEnv, startDriver } from './webdriver.mjs';

const root = resolve(import.meta.dirname, '../..');
const application = process.env.STEPUP_APP ?? join(root, 'target/debug/stepup-desktop');
const shots = join(root, 'tests/artifacts/screenshots');

let driver;
let home;

before(async () => {
  assert.ok(existsSync(application), `build the app first: ${application}`);
  home = mkdtempSync(join(tmpdir(), 'stepup-e2e-inbox-'));
  // Demo mode with no live traffic: the list stays put while the test clicks.
  driver = await startDriver({ env: appEnv(home, { STEPUP_DEMO: '1', STEPUP_DEMO_RATE: '0' }) });
});

after(async () => {
  await driver?.stop();
  if (home) rmSync(home, { recursive: true, force: true });
});

test('demo inbox: list, open, reply through the outbox, hostile text stays text', async () => {
  const app = await Session.start(driver.url, application, { implicitMs: 60_000 });
  try {
    await app.find('[data-testid="sync-state"]');
    await app.find('[data-testid="conversation-row"]');
    assert.ok((await app.count('[data-testid="conversation-row"]')) > 50);

    // Filter to Telegram (no reply window), open the first conversation.
    await app.click('[data-testid="filter-telegram"]');
    await app.find('[data-testid="filter-telegram"][aria-pressed="true"]');
    await app.click('[data-testid="conversation-row"]');
    await app.find('[data-testid="conversation-name"]');
    await app.screenshot(join(shots, 'inbox-en.png'));

    const payload = 'مرحبا Hello <img src=x onerror="window.__pwned=1"> <script>window.__pwned=2</script>';
    const before = await app.count('[data-testid="message"]');
    await app.type('[data-testid="composer"]', payload);
    await app.click('[data-testid="send"]');
    // A new bubble at once, then marked sent once the cloud accepted it.
    const ours = `[data-testid="message"]:nth-child(${before + 1})`;
    await app.find(ours);
    await app.find(`${ours}[data-status="sent"]`);
    const last = await app.text(`${ours} .text`);
    assert.equal(last, payload);
    assert.equal(await app.execute('return window.__pwned === undefined;'), true);
    assert.equal(await app.count('.thread img, .thread script'), 0);
    assert.equal(await app.attribute(`${ours} .text`, 'dir'), 'auto');

    // Search with another spelling: no hamza on the alef finds «الإزعاج».
    await app.type('[data-testid="search"]', 'الازعاج');
    await app.find('[data-testid="search-result"] mark');
    assert.equal(await app.text('[data-testid="search-result"] mark'), 'الإزعاج');
    await app.screenshot(join(shots, 'search-en.png'));
    await app.click('[data-testid="search-result"]');
    await app.find('[data-testid="conversation-name"]');

    await app.click('[data-testid="language-switch"]');
    await app.find('html[dir="rtl"]');
    await app.find('[data-testid="sync-state"]');
    await app.screenshot(join(shots, 'inbox-ar.png'));
  } finally {
    await app.end();
  }
});
