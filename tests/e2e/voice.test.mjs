// End to end, a voice note recorded in the composer: WebKitGTK's mock microphone stands in for a
// real one (STEPUP_MOCK_MICROPHONE, debug builds only). The agent records (timer and level meter),
// stops, listens, sends; the note goes out as Opus in Ogg and shows as a voice note that reaches
// "sent". In Arabic the bar is mirrored and Esc cancels. On a computer without a microphone the
// button says so.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Session, appEnv, startDriver } from './webdriver.mjs';
import { binary, root } from './target.mjs';

const application = process.env.STEPUP_APP ?? binary('debug', 'stepup-desktop');
const shots = join(root, 'tests/artifacts/screenshots');

const homes = [];
const drivers = [];

before(() => assert.ok(existsSync(application), `build the app first: ${application}`));

after(async () => {
  for (const d of drivers) await d.stop();
  for (const h of homes) rmSync(h, { recursive: true, force: true });
});

async function demoApp(extra) {
  const home = mkdtempSync(join(tmpdir(), 'stepup-e2e-voice-'));
  homes.push(home);
  const driver = await startDriver({ env: appEnv(home, { STEPUP_DEMO: '1', STEPUP_DEMO_RATE: '0', ...extra }) });
  drivers.push(driver);
  const app = await Session.start(driver.url, application, { implicitMs: 60_000 });
  await app.find('[data-testid="sync-state"].sync-online');
  return { app, home };
}

/** A WhatsApp customer writes (a signed webhook, as Meta sends it); opens the conversation. */
async function openWhatsapp(app, home, name, text) {
  const cloud = readFileSync(join(home, 'data', 'demo', 'cloud-url'), 'utf8').trim();
  const wa = `9715580${String(Date.now()).slice(-5)}`;
  const body = JSON.stringify({
    object: 'whatsapp_business_account',
    entry: [{ id: 'demo-waba', changes: [{ field: 'messages', value: {
      messaging_product: 'whatsapp',
      metadata: { display_phone_number: '971800666', phone_number_id: 'demo-phone' },
      contacts: [{ profile: { name }, wa_id: wa }],
      messages: [{ from: wa, id: `wamid.e2e.voice.${Date.now()}`, timestamp: String(Math.floor(Date.now() / 1000)), type: 'text', text: { body: text } }],
    } }] }],
  });
  const signature = `sha256=${createHmac('sha256', 'demo-meta-app-secret').update(body).digest('hex')}`;
  const r = await fetch(`${cloud}/webhooks/whatsapp`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-hub-signature-256': signature },
    body,
  });
  assert.ok(r.ok, `whatsapp webhook: ${r.status}`);
  const row = `[...document.querySelectorAll('[data-testid="conversation-row"]')].find((r) => r.querySelector('.name')?.textContent === arguments[0])`;
  await app.waitUntil(`return !!${row};`, [name]);
  await app.execute(`${row}.click();`, [name]);
  await app.waitUntil(`return [...document.querySelectorAll('[data-testid="message"].inbound .text')].some((p) => p.textContent === arguments[0]);`, [text]);
}

test('record, listen and send a voice note; mirrored in Arabic; Esc cancels', async () => {
  const { app, home } = await demoApp({ STEPUP_MOCK_MICROPHONE: '1' });
  try {
    await openWhatsapp(app, home, 'Khalid خالد', 'ممكن ترسل لي رسالة صوتية عن طريقة الاستخدام؟');
    const before = await app.countNow('[data-testid="attachment"][data-kind="voice"]');

    // Select to start (a tap: recording goes on until Stop).
    await app.click('[data-testid="voice-record"]');
    await app.find('[data-testid="voice-recorder"][data-state="recording"]');
    assert.equal(await app.execute(`return document.querySelector('form.composer').hidden;`), true, 'the bar takes the composer\'s place');
    await app.waitUntil(`return document.querySelector('[data-testid="voice-time"]')?.textContent === '0:02';`);
    await app.waitUntil(`return Number(document.querySelector('[role="meter"]')?.getAttribute('aria-valuenow')) > 0;`);
    await app.screenshot(join(shots, 'voice-recording-en.png'));
    await app.click('[data-testid="voice-stop"]');

    // Listen before sending: the preview player, the length.
    await app.find('[data-testid="voice-recorder"][data-state="preview"]');
    assert.match(await app.text('[data-testid="voice-duration"]'), /^0:0[2-4]$/);
    assert.equal(await app.execute(`return document.querySelector('[data-testid="voice-preview"]').src.startsWith('blob:');`), true);
    await app.screenshot(join(shots, 'voice-preview-en.png'));
    await app.click('[data-testid="voice-send"]');

    // It goes out as a voice note (Opus in Ogg) and reaches "sent"; the composer is back.
    await app.waitUntil(`return [...document.querySelectorAll('.bubble.outbound[data-status]')].some((b) => b.querySelector('[data-testid="attachment"][data-kind="voice"]') && ['sent', 'delivered'].includes(b.dataset.status));`);
    assert.equal(await app.countNow('[data-testid="attachment"][data-kind="voice"]'), before + 1);
    await app.find('form.composer:not([hidden]) [data-testid="composer"]');
    await app.waitUntil(`return !!document.querySelector('.bubble.outbound [data-testid="voice-player"]')?.src.startsWith('data:audio/ogg');`);
    // Named for what it is, without a file name (as the customer's app shows it).
    assert.equal(await app.execute(`return [...document.querySelectorAll('.bubble.outbound')].filter((b) => b.querySelector('[data-testid="attachment"][data-kind="voice"]')).at(-1).querySelector('.kind').textContent;`), 'Voice note');

    // In Arabic: mirrored, and Esc drops the recording.
    await app.click('[data-testid="language-switch"]');
    await app.find('html[dir="rtl"]');
    await app.click('[data-testid="voice-record"]');
    await app.find('[data-testid="voice-recorder"][data-state="recording"]');
    assert.equal(await app.text('[data-testid="voice-recorder"] .label'), 'جارٍ التسجيل');
    await app.waitUntil(`return document.querySelector('[data-testid="voice-time"]')?.textContent === '0:01';`);
    await app.screenshot(join(shots, 'voice-recording-ar.png'));
    await app.execute(`window.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape', bubbles: true }));`);
    await app.find('form.composer:not([hidden]) [data-testid="composer"]');
    assert.equal(await app.countNow('[data-testid="voice-recorder"]'), 0);
    assert.equal(await app.countNow('[data-testid="attachment"][data-kind="voice"]'), before + 1, 'nothing more was sent');
  } catch (err) {
    await app.screenshot(join(shots, 'failed-voice.png')).catch(() => {});
    throw err;
  } finally {
    await app.end();
  }
});

test('without a microphone the button says so, in English and Arabic', async () => {
  const { app, home } = await demoApp({});
  try {
    await openWhatsapp(app, home, 'Noura نورة', 'Voice note please?');
    await app.click('[data-testid="voice-record"]');
    await app.find('[data-testid="voice-problem"]');
    assert.equal(await app.attribute('[data-testid="voice-problem"]', 'data-problem'), 'none');
    assert.equal(await app.text('[data-testid="voice-problem"] span'), 'No microphone was found. Connect one and try again.');
    assert.equal(await app.countNow('[data-testid="voice-recorder"]'), 0);
    await app.click('[data-testid="language-switch"]');
    await app.find('html[dir="rtl"]');
    assert.equal(await app.text('[data-testid="voice-problem"] span'), 'لم يُعثر على ميكروفون. وصّل ميكروفوناً ثم حاول مجدداً.');
    await app.screenshot(join(shots, 'voice-no-microphone-ar.png'));
  } catch (err) {
    await app.screenshot(join(shots, 'failed-voice-none.png')).catch(() => {});
    throw err;
  } finally {
    await app.end();
  }
});
