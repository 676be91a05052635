// End to end: native notifications of the real app in demo mode. The
// recording notification server owns org.freedesktop.Notifications on this
// D-Bus session; the demo cloud inside the app receives customer messages
// through its real webhook paths; a recorded notification's "Open" action
// brings the app to that conversation, checked through WebDriver.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Session, appEnv, startDriver } from './webdriver.mjs';
import { application, notifyServerBin, shots, startNotificationServer } from './fixtures.mjs';

let driver;
let home;
let server;

before(async () => {
  assert.ok(existsSync(application), `build the app first: ${application}`);
  assert.ok(existsSync(notifyServerBin), `build the test notification server first: ${notifyServerBin}`);
  server = startNotificationServer();
  await server.waitFor((l) => l.ready === true, 30_000, 'ready line from the notification server');
  home = mkdtempSync(join(tmpdir(), 'stepup-e2e-notify-'));
  // A customer message every 5 s through the demo cloud's webhook paths.
  driver = await startDriver({ env: appEnv(home, { STEPUP_DEMO: '1', STEPUP_DEMO_RATE: '12' }) });
});

after(async () => {
  await driver?.stop();
  await server?.stop();
  if (home) rmSync(home, { recursive: true, force: true });
});

test('an inbound message notifies, and its Open action opens that conversation', async () => {
  const app = await Session.start(driver.url, application, { implicitMs: 60_000 });
  try {
    await app.find('[data-testid="conversation-row"]');
    // Leave the inbox: the notification must bring the app back to it.
    await app.click('[data-testid="nav-settings"]');
    await app.find('[data-testid="notification-settings"]');

    const single = /^New message from (.+)$/;
    const call = await server.waitFor(
      (l) => l.summary !== undefined && single.test(l.summary),
      90_000,
      'notification of a new customer message',
    );
    const name = single.exec(call.summary)[1];
    assert.equal(call.app_name, 'Stepup');
    assert.deepEqual(call.actions, ['default', 'Open', 'open', 'Open']);
    assert.ok(call.body.length > 0);
    assert.ok(!/[\u2066-\u2069]/.test(call.summary + call.body), 'no bidi isolation marks');

    const done = server.lines.length;
    server.send(`invoke ${call.id} open`);
    await server.waitFor((l, i = server.lines.indexOf(l)) => i >= done && l.done === true, 10_000, 'invoke ack');

    await app.find('[data-testid="screen-inbox"]');
    await app.find('[data-testid="conversation-name"]');
    // The conversation loads after the screen switches: wait for its name.
    // (WebKitWebDriver reports no text for a <bdi>: read its textContent.)
    const nameNow = () =>
      app.execute("return document.querySelector('[data-testid=\"conversation-name\"]')?.textContent ?? '';");
    const deadline = Date.now() + 15_000;
    let shown = await nameNow();
    while (shown !== name && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
      shown = await nameNow();
    }
    assert.equal(shown, name);
    await app.screenshot(join(shots, 'notification-opened-en.png'));
  } finally {
    await app.end();
  }
});
