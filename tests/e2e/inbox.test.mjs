// End to end: the real app in demo mode (the reference cloud in-process),
// reading from the encrypted cache and sending through the outbox. Customer
// messages arrive live through the demo cloud's Web Chat visitor API, the
// same API the website widget uses.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, existsSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createHmac } from 'node:crypto';
import { join } from 'node:path';
import { Session, appEnv, startDriver } from './webdriver.mjs';
import { binary, root } from './target.mjs';
import { visitor } from './fixtures.mjs';

const application = process.env.STEPUP_APP ?? binary('debug', 'stepup-desktop');
const shots = join(root, 'tests/artifacts/screenshots');

// A customer whose name and messages are hostile or mixed-direction.
const HOSTILE_NAME = 'Eve <img src=x onerror="window.__pwned=3">';
const FIXTURES = [
  { text: 'مرحبا Hello', dir: 'rtl' },
  { text: 'Hello مرحبا', dir: 'ltr' },
  { text: '+971 50 123 4567', dir: null },
  { text: '7abibi 3ndi so2al', dir: 'ltr' },
  { text: 'السلام عليكم\nI need help with order #A-1042\nشكراً', dir: 'rtl' },
  { text: '<script>window.__pwned=4</script><b>bold?</b>', dir: 'ltr' },
  { text: 'تتبع الطلب هنا https://noor.example/track?o=A-1042 javascript:alert(5)', dir: 'rtl' },
];

let driver;
let home;

before(async () => {
  assert.ok(existsSync(application), `build the app first: ${application}`);
  home = mkdtempSync(join(tmpdir(), 'stepup-e2e-inbox-'));
  // Demo mode with no scheduled traffic: the list changes only when the test posts.
  driver = await startDriver({ env: appEnv(home, { STEPUP_DEMO: '1', STEPUP_DEMO_RATE: '0' }) });
});

after(async () => {
  await driver?.stop();
  if (home) rmSync(home, { recursive: true, force: true });
});

/** A WhatsApp customer's messages, posted to the demo cloud's webhook as Meta sends them
 * (signed with the demo's app secret). */
async function whatsapp(cloud, name, messages) {
  const wa = `9715590${String(Date.now()).slice(-5)}`;
  const at = String(Math.floor(Date.now() / 1000));
  const body = JSON.stringify({
    object: 'whatsapp_business_account',
    entry: [{ id: 'demo-waba', changes: [{ field: 'messages', value: {
      messaging_product: 'whatsapp',
      metadata: { display_phone_number: '971800666', phone_number_id: 'demo-phone' },
      contacts: [{ profile: { name }, wa_id: wa }],
      messages: messages.map((m, i) => ({ from: wa, id: `wamid.e2e.${Date.now()}.${i}`, timestamp: at, ...m })),
    } }] }],
  });
  const signature = `sha256=${createHmac('sha256', 'demo-meta-app-secret').update(body).digest('hex')}`;
  const r = await fetch(`${cloud}/webhooks/whatsapp`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-hub-signature-256': signature },
    body,
  });
  assert.ok(r.ok, `whatsapp webhook: ${r.status}`);
}

const rowNamed = `return [...document.querySelectorAll('[data-testid="conversation-row"]')].some((r) => r.querySelector('.name')?.textContent === arguments[0]);`;
const clickRowNamed = `[...document.querySelectorAll('[data-testid="conversation-row"]')].find((r) => r.querySelector('.name')?.textContent === arguments[0]).click();`;

/** Records every delivery state the newest outbound bubble goes through (wherever the bubble
 * is drawn: the whole page is watched, so a timeline drawn anew does not lose the record). */
const recordStates = `
  window.__states = [];
  const push = (s) => { if (s && window.__states[window.__states.length - 1] !== s) window.__states.push(s); };
  const ours = (n) => n.nodeType === 1 && n.matches('.bubble.outbound[data-status]') && n.textContent.includes(arguments[0]);
  // States that changed before the observer ran are read from the records' old values, so a
  // quick pending → sent is seen as both.
  new MutationObserver((records) => {
    records.forEach((r, i) => {
      const later = (n) => records.slice(i + 1).find((x) => x.type === 'attributes' && x.target === n);
      if (r.type === 'attributes') {
        if (!ours(r.target)) return;
        push(r.oldValue);
        if (!later(r.target)) push(r.target.dataset.status);
      } else {
        for (const n of r.addedNodes) if (ours(n) && !later(n)) push(n.dataset.status);
      }
    });
  }).observe(document.body, { subtree: true, childList: true, attributes: true, attributeOldValue: true, attributeFilter: ['data-status'] });`;

async function replyAndWatch(app, text) {
  await app.execute(recordStates, [text]);
  await app.type('[data-testid="composer"]', text);
  await app.click('[data-testid="send"]');
  await app.waitUntil(`return (window.__states || []).includes('sent') || (window.__states || []).includes('delivered');`);
  const states = await app.execute('return window.__states;');
  assert.equal(states[0], 'pending', `shown at once as pending: ${states}`);
}

/** A saved view's name, Arabic and English in one. */
const VIEW = 'تيليجرام Telegram';

test('demo inbox: live messages, directions, hostile text, reply, filters, templates, search, Arabic', async () => {
  const app = await Session.start(driver.url, application, { implicitMs: 60_000 });
  // The window the app opens with (1200×800): at least nine whole conversations in the list.
  const atLeastNineRows = async () => {
    const [shown, width, height] = await app.execute(`
      const list = document.querySelector('[data-testid="conversation-list"]').getBoundingClientRect();
      const rows = [...document.querySelectorAll('[data-testid="conversation-row"]')].filter((r) => {
        const b = r.getBoundingClientRect();
        return b.top >= list.top - 0.5 && b.bottom <= list.bottom + 0.5;
      });
      return [rows.length, window.innerWidth, window.innerHeight];`);
    assert.ok(width <= 1200 && height <= 800, `${width}×${height}`);
    assert.ok(shown >= 9, `${shown} whole conversations in view`);
  };
  try {
    // The initial sync has finished: every cached conversation is listed.
    await app.find('[data-testid="sync-state"].sync-online');
    await app.find('[data-testid="conversation-row"]');
    // The list follows the cache as the sync fills it: all ~300 demo conversations.
    await app.waitUntil(`return Number(document.querySelector('[data-testid="conversation-list"]')?.dataset.count) > 200;`);
    // Virtualized: far fewer rows in the DOM than in the list.
    assert.ok((await app.countNow('[data-testid="conversation-row"]')) < 60);
    const cloud = readFileSync(join(home, 'data', 'demo', 'cloud-url'), 'utf8').trim();

    // A new customer writes on Web Chat: the conversation appears live.
    const say = await visitor(cloud, HOSTILE_NAME);
    for (const f of FIXTURES) await say(f.text);
    await app.waitUntil(rowNamed, [HOSTILE_NAME]);
    await app.execute(clickRowNamed, [HOSTILE_NAME]);
    await app.find('[data-testid="conversation-name"]');
    await app.waitUntil(`return document.querySelector('[data-testid="conversation-name"]').textContent === arguments[0];`, [HOSTILE_NAME]);
    await app.waitUntil(
      `return document.querySelectorAll('[data-testid="message"].inbound').length >= arguments[0];`,
      [FIXTURES.length],
    );

    // Each message has its own direction; numbers stay left-to-right.
    const seen = await app.execute(`
      return [...document.querySelectorAll('[data-testid="message"].inbound .text')].slice(-arguments[0]).map((p) => ({
        text: p.textContent,
        dir: p.getAttribute('dir'),
        direction: getComputedStyle(p).direction,
        ltrRuns: [...p.querySelectorAll('bdi')].map((b) => [b.textContent, getComputedStyle(b).direction]),
      }));`, [FIXTURES.length]);
    // Messages written in the same millisecond may be listed in either order.
    const shown = (text) => seen.find((p) => p.text === text);
    for (const f of FIXTURES) {
      const p = shown(f.text);
      assert.ok(p, `shown as text, exactly: ${JSON.stringify(f.text)}`);
      assert.equal(p.dir, 'auto');
      if (f.dir) assert.equal(p.direction, f.dir, `direction of ${JSON.stringify(f.text)}`);
    }
    assert.deepEqual(shown(FIXTURES[2].text).ltrRuns, [['+971 50 123 4567', 'ltr']]);
    assert.deepEqual(shown(FIXTURES[4].text).ltrRuns, [['#A-1042', 'ltr']]);
    assert.equal(await app.execute('return window.__pwned === undefined;'), true, 'no payload ran');
    assert.equal(await app.countNow('.thread img, .thread script, .thread b, .rows img, .thread-head img'), 0);
    await app.screenshot(join(shots, 'conversation-mixed-en.png'));

    // A link opens only after the agent saw the full address; nothing else is a link.
    assert.equal(await app.countNow('[data-testid="link"]'), 1);
    assert.equal(await app.text('[data-testid="link"]'), 'https://noor.example/track?o=A-1042');
    await app.click('[data-testid="link"]');
    await app.find('[data-testid="link-check"]');
    assert.match(await app.text('[data-testid="link-check"] .link-full'), /^https:\/\/noor\.example\/track\?o=A-1042$/);
    await app.screenshot(join(shots, 'link-check-en.png'));
    await app.execute(`document.querySelector('[data-testid="link-check"]').dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape', bubbles: true }));`);

    // Reply: pending at once, then sent once the cloud accepted it.
    await replyAndWatch(app, 'Hi Eve, your order ships today. +971 4 000 0000');

    // A photo attached (as a file picker, paste or drop hands it over): it is
    // uploaded, sent, and shown as a thumbnail from the encrypted cache.
    await app.execute(`
      const png = Uint8Array.from(atob('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR4nGP4z8DwHwAFAAH/iZk9HQAAAABJRU5ErkJggg=='), (c) => c.charCodeAt(0));
      const dt = new DataTransfer();
      dt.items.add(new File([png], 'receipt.png', { type: 'image/png' }));
      const input = document.querySelector('[data-testid="file-input"]');
      input.files = dt.files;
      input.dispatchEvent(new Event('change', { bubbles: true }));`);
    await app.find('.bubble.outbound [data-testid="thumbnail"]');
    assert.match(await app.attribute('.bubble.outbound [data-testid="thumbnail"]', 'src'), /^data:image\/png;base64,/);

    // Muting the conversation silences its notifications (kept in the settings).
    await app.click('[data-testid="more-menu"]');
    await app.click('[data-testid="mute"]');
    await app.find('[data-testid="mute"][aria-pressed="true"]');
    await app.click('[data-testid="more-menu"]');

    // A WhatsApp customer shares a place and a contact: both shown as cards, the
    // coordinates and the phone number left to right, the map behind the link check.
    const shopper = 'هدى المنصوري';
    await whatsapp(cloud, shopper, [
      { type: 'location', location: { latitude: 25.197197, longitude: 55.274376, name: 'برج خليفة', address: 'Sheikh Mohammed bin Rashid Blvd, Dubai' } },
      { type: 'contacts', contacts: [{ name: { formatted_name: 'Omar Ali عمر' }, phones: [{ phone: '+971 50 765 4321' }] }] },
    ]);
    await app.waitUntil(rowNamed, [shopper]);
    await app.execute(clickRowNamed, [shopper]);
    await app.find('[data-testid="card-location"]');
    await app.find('[data-testid="card-contacts"]');
    assert.match(await app.text('[data-testid="card-location"] .card-title'), /^برج خليفة$/);
    const ltr = await app.execute(`return [...document.querySelectorAll('[data-testid^="card-"] bdi')].map((b) => [b.textContent, getComputedStyle(b).direction]);`);
    // Both arrived in the same second: either may be listed first.
    assert.deepEqual(ltr.sort(), [['+971 50 765 4321', 'ltr'], ['25.19720, 55.27438', 'ltr']]);
    await app.screenshot(join(shots, 'cards-en.png'));
    // The list names a last message without text by its kind, in the app's language.
    const previewOf = `const p = [...document.querySelectorAll('[data-testid="conversation-row"]')].find((r) => r.querySelector('.name')?.textContent === arguments[0])?.querySelector('.preview'); return [p?.querySelector('.kind')?.textContent, p?.querySelector('bdi')?.textContent].join(' · ');`;
    // Named by its kind in the app's language, before the place's or the contact's name.
    assert.ok(['Contact card · Omar Ali عمر', 'Location · برج خليفة'].includes(await app.execute(previewOf, [shopper])));
    await app.click('[data-testid="card-open-map"]');
    await app.find('[data-testid="link-check"]');
    assert.match(await app.text('[data-testid="link-check"] .link-full'), /^https:\/\/www\.openstreetmap\.org\/\?mlat=25\.197197&mlon=55\.274376/);
    await app.execute(`document.querySelector('[data-testid="link-check"]').dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape', bubbles: true }));`);

    // Mark unread: the conversation closes and its row shows it unread again.
    await app.click('[data-testid="more-menu"]');
    await app.click('[data-testid="mark-unread"]');
    await app.waitUntil(`return !document.querySelector('[data-testid="conversation-name"]');`);
    await app.waitUntil(
      `return !![...document.querySelectorAll('[data-testid="conversation-row"]')].find((r) => r.querySelector('.name')?.textContent === arguments[0])?.querySelector('.unread');`,
      [shopper],
    );

    // Filters: Telegram only.
    const telegramOnly = `return document.querySelectorAll('[data-testid="conversation-row"] .channel:not(.channel-telegram)').length === 0
      && document.querySelectorAll('[data-testid="conversation-row"]').length > 0;`;
    // They fold into one bar: open it, and what is active shows as a chip under it.
    await app.click('[data-testid="filters-toggle"]');
    assert.equal(await app.attribute('[data-testid="filters-toggle"]', 'aria-expanded'), 'true');
    await app.select('[data-testid="filter-channel"]', 'telegram');
    await app.waitUntil(telegramOnly);
    await app.waitUntil(`return document.querySelector('[data-testid="active-filter-channel"]')?.textContent.trim() === 'Telegram';`);

    // Saved views (kept in the account's cache): this filter under a mixed name, picked again.
    await app.type('[data-testid="view-name"]', VIEW);
    await app.click('[data-testid="save-view"]');
    await app.waitUntil(`return document.querySelector('[data-testid="saved-views"]')?.value === arguments[0];`, [VIEW]);
    await app.select('[data-testid="filter-channel"]', '');
    await app.waitUntil(`return document.querySelector('[data-testid="saved-views"]').value === '' && !document.querySelector('[data-testid="delete-view"]');`);
    await app.select('[data-testid="saved-views"]', VIEW);
    await app.waitUntil(telegramOnly);
    await app.select('[data-testid="filter-channel"]', '');

    // Outside WhatsApp's 24-hour window only approved templates are offered.
    await app.select('[data-testid="filter-channel"]', 'whatsapp');
    await app.select('[data-testid="filter-status"]', 'resolved');
    await app.waitUntil(`return !!document.querySelector('[data-testid="conversation-row"] .badge-closed');`);
    await app.execute(`document.querySelector('[data-testid="conversation-row"] .badge-closed').closest('button').click();`);
    await app.find('[data-testid="template-picker"]');
    assert.equal(await app.countNow('[data-testid="composer"]'), 0, 'no free text');
    await app.execute(`const s = document.querySelector('[data-testid="template-select"]'); s.selectedIndex = 1; s.dispatchEvent(new Event('change', { bubbles: true }));`);
    const params = await app.countNow('[data-testid="template-param"]');
    for (let i = 1; i <= params; i++) await app.type(`[data-testid="template-param"]:nth-of-type(${i})`, `قيمة ${i}`);
    await app.waitUntil(`return document.querySelector('[data-testid="template-preview"]').textContent.includes('قيمة');`);
    await app.screenshot(join(shots, 'template-en.png'));
    // Two filters on, each a chip; "Clear all" takes both away and folds nothing else.
    assert.equal(await app.countNow('[data-testid="active-filters"] .removable'), 2);
    await app.click('[data-testid="filters-clear"]');
    await app.waitUntil(`return !document.querySelector('[data-testid="active-filters"]')
      && document.querySelector('[data-testid="filter-channel"]').value === ''
      && document.querySelector('[data-testid="filter-status"]').value === '';`);
    await app.click('[data-testid="filters-toggle"]');
    await app.waitUntil(`return !document.querySelector('[data-testid="filter-panel"]');`);

    const arabiziHit = `return [...document.querySelectorAll('[data-testid="search-group-message"] mark')].some((m) => m.textContent === arguments[0]);`;
    const clearSearch = () =>
      app.execute(`const i = document.querySelector('[data-testid="search"]'); i.value = ''; i.dispatchEvent(new Event('input', { bubbles: true }));`);
    // Search with another spelling: no hamza on the alef finds «الإزعاج».
    await app.type('[data-testid="search"]', 'الازعاج');
    // Typing goes one letter at a time: wait for the results of the whole word.
    await app.waitUntil(`return document.querySelector('[data-testid="search-result"] mark')?.textContent === arguments[0];`, ['الإزعاج']);
    await app.screenshot(join(shots, 'search-en.png'));
    // Limited to the list (all conversations here), the same hit is found.
    await app.click('[data-testid="search-in-list"]');
    await app.waitUntil(`return document.querySelector('[data-testid="search-result"] mark')?.textContent === arguments[0];`, ['الإزعاج']);
    await app.click('[data-testid="search-in-list"]');
    await app.click('[data-testid="search-result"]');
    await app.find('[data-testid="conversation-name"]');
    await app.execute(`const i = document.querySelector('[data-testid="search"]'); i.value = ''; i.dispatchEvent(new Event('input', { bubbles: true }));`);
    await app.find('[data-testid="conversation-row"]');
    await atLeastNineRows();
    await app.screenshot(join(shots, 'inbox-en.png'));
    // Arabizi finds the customers who wrote the same word in Arabic («3ndkom» is «عندكم»), in
    // the messages' group, after the message that spells it as typed.
    await app.type('[data-testid="search"]', '3ndkom');
    await app.waitUntil(arabiziHit, ['عندكم']);
    assert.equal(await app.text('[data-testid="search-group-message"] mark'), '3ndkom');
    assert.match(await app.text('[data-testid="search-group-message"] h2'), /^(One message|\u2068?\d+\u2069? messages)$/);
    await app.screenshot(join(shots, 'search-arabizi-en.png'));
    await clearSearch();
    await app.find('[data-testid="conversation-list"]');
    // Back to the top of the list, where the newest conversation is.
    await app.execute(`const l = document.querySelector('[data-testid="conversation-list"]'); l.scrollTop = 0; l.dispatchEvent(new Event('scroll'));`);

    // SLA deadlines: the demo's policy clocks each customer request; sorted by deadline, the
    // overdue come first, counted on the row.
    const sortBy = async (value) => {
      const folded = !(await app.countNow('[data-testid="sort"]'));
      if (folded) await app.click('[data-testid="filters-toggle"]');
      await app.execute(`const s = document.querySelector('[data-testid="sort"]'); s.value = arguments[0]; s.dispatchEvent(new Event('change', { bubbles: true }));`, [value]);
      if (folded) await app.click('[data-testid="filters-toggle"]');
    };
    const topSla = `const b = document.querySelector('[data-testid="conversation-row"] [data-testid="sla"]');
      return b?.dataset.state === 'overdue' && new RegExp(arguments[0]).test(b.textContent.replace(/[\u2068\u2069]/g, ''));`;
    await sortBy('sla_due');
    await app.waitUntil(topSla, ['^(Reply|Resolution) overdue by \\d']);
    await app.screenshot(join(shots, 'sla-en.png'));
    await sortBy('latest');

    // The assistant: a conversation it answered shows it took the request (an event in the
    // timeline), and a summary on demand, marked as the customer's own words (the demo has no
    // model, so nothing leaves it).
    const openAssisted = async (words) => {
      await app.type('[data-testid="search"]', words);
      await app.waitUntil(`return !!document.querySelector('[data-testid="search-result"] mark');`);
      await app.click('[data-testid="search-result"]');
      await app.find('[data-testid="event"][data-kind="ai_answering"]');
      await clearSearch();
      await app.click('[data-testid="summarize"]');
      await app.find('[data-testid="summary-text"]');
    };
    await openAssisted('"from the SMS link"');
    assert.equal(await app.text('[data-testid="summary-kind"]'), "In the customer's words");
    assert.match(await app.text('[data-testid="event"][data-kind="ai_answering"]'), /The assistant is answering this customer/);
    await app.screenshot(join(shots, 'assistant-en.png'));
    // The demo's broadcast and its report, from the cache.
    await app.click('[data-testid="nav-broadcasts"]');
    await app.find('[data-testid="broadcast"]');
    assert.match(await app.text('[data-testid="broadcast"] h2'), /Weekly follow-up/);
    assert.match(await app.text('[data-testid="broadcast-state"]'), /^(Scheduled|Sending|Sent)$/);
    await app.screenshot(join(shots, 'broadcasts-en.png'));
    // A supervisor schedules one: an approved template, the customer's name in it, the VIPs.
    await app.click('[data-testid="broadcast-new"]');
    await app.type('[data-testid="broadcast-name"]', 'VIP thank-you · شكر كبار العملاء');
    await app.execute(`const s = document.querySelector('[data-testid="broadcast-template"]');
      s.value = [...s.options].find((o) => o.textContent.startsWith('follow_up (en)')).value;
      s.dispatchEvent(new Event('change', { bubbles: true }));`);
    await app.find('[data-testid="broadcast-preview"]');
    await app.execute(`const s = document.querySelector('[data-testid="broadcast-label"]');
      s.value = [...s.options].find((o) => o.textContent === 'VIP').value;
      s.dispatchEvent(new Event('change', { bubbles: true }));`);
    await app.screenshot(join(shots, 'broadcast-new-en.png'));
    await app.click('[data-testid="broadcast-send"]');
    await app.waitUntil(`return [...document.querySelectorAll('[data-testid="broadcast"] h2')].some((h) => h.textContent.startsWith('VIP thank-you'));`);
    await app.click('[data-testid="nav-inbox"]');
    await app.find('[data-testid="conversation-list"]');

    // Arabic: the layout mirrors and the same flow works.
    await app.click('[data-testid="language-switch"]');
    await app.find('html[dir="rtl"]');
    await app.waitUntil(rowNamed, [HOSTILE_NAME]);
    await app.execute(clickRowNamed, [HOSTILE_NAME]);
    // Another conversation was open: wait until this one has replaced it.
    await app.waitUntil(`return document.querySelector('[data-testid="conversation-name"]')?.textContent === arguments[0];`, [HOSTILE_NAME]);
    await app.find('[data-testid="composer"]');
    await replyAndWatch(app, 'أهلاً Eve، طلبك رقم #A-1042 في الطريق');
    await say('تمام، شكراً جزيلاً');
    await app.waitUntil(`return [...document.querySelectorAll('[data-testid="message"].inbound .text')].some((p) => p.textContent === 'تمام، شكراً جزيلاً');`);
    // A link that looks like another site (a Cyrillic а): the dialog names the host that opens.
    const spoof = 'ادفع هنا https://аpple.com/pay';
    await say(spoof);
    await app.waitUntil(`return [...document.querySelectorAll('[data-testid="message"].inbound .text')].some((p) => p.textContent === arguments[0]);`, [spoof]);
    await app.execute(`[...document.querySelectorAll('[data-testid="link"]')].find((b) => b.textContent === 'https://аpple.com/pay').click();`);
    await app.find('[data-testid="link-warning"]');
    assert.equal(await app.text('[data-testid="link-host"]'), 'xn--pple-43d.com');
    assert.match(await app.text('[data-testid="link-warning"]'), /أبجديات أخرى/);
    await app.screenshot(join(shots, 'link-check-spoofed-ar.png'));
    await app.execute(`document.querySelector('[data-testid="link-check"]').dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape', bubbles: true }));`);
    assert.equal(await app.attribute('.list-pane', 'aria-label'), 'صندوق الوارد');
    // Counts in translated messages have the same (Latin) digits as the times beside them,
    // whatever the web view's own data for Arabic says.
    const count = await app.text('[data-testid="row-count"]');
    assert.ok(/[0-9]/.test(count) && !/[\u0660-\u0669\u06f0-\u06f9]/.test(count), count);
    await atLeastNineRows();
    await app.screenshot(join(shots, 'inbox-ar.png'));
    await app.type('[data-testid="search"]', '3ndkom');
    await app.waitUntil(arabiziHit, ['عندكم']);
    assert.match(await app.text('[data-testid="search-group-message"] h2'), /رسال/);
    await app.screenshot(join(shots, 'search-ar.png'));
    await clearSearch();
    await app.find('[data-testid="conversation-list"]');
    await sortBy('sla_due');
    await app.waitUntil(topSla, ['^تأخر (الرد|الحل) \\S']);
    await app.screenshot(join(shots, 'sla-ar.png'));
    await sortBy('latest');
    // A long Latin name in the mirrored header is cut at its end, inside its box (not its start).
    assert.ok(
      await app.execute(`const n = document.querySelector('[data-testid="conversation-name"]');
        const r = n.getBoundingClientRect(), b = n.parentElement.getBoundingClientRect();
        return r.left >= b.left - 0.5 && r.right <= b.right + 0.5 && n.scrollWidth > n.clientWidth;`),
      'the header name clips itself',
    );
    await openAssisted('"من رابط الرسالة النصية"');
    assert.equal(await app.text('[data-testid="summary-kind"]'), 'بكلمات العميل');
    await app.screenshot(join(shots, 'assistant-ar.png'));
    await app.click('[data-testid="nav-broadcasts"]');
    await app.find('[data-testid="broadcast"]');
    assert.match(await app.text('[data-testid="broadcast-state"]'), /^(مجدولة|جارٍ الإرسال|أُرسلت)$/);
    await app.screenshot(join(shots, 'broadcasts-ar.png'));
    await app.click('[data-testid="broadcast-new"]');
    await app.find('[data-testid="broadcast-form"]');
    await app.screenshot(join(shots, 'broadcast-new-ar.png'));
    await app.execute(`[...document.querySelectorAll('[data-testid="broadcast-form"] button')].at(-1).click();`);
    await app.click('[data-testid="nav-inbox"]');
    await app.find('[data-testid="conversation-list"]');

    // The saved view, picked and deleted in Arabic (picked as the template is below: WebDriver's
    // click on an option does not always reach a select here).
    const pick = (css, value) =>
      app.execute(`const s = document.querySelector(arguments[0]); s.value = arguments[1]; s.dispatchEvent(new Event('change', { bubbles: true }));`, [css, value]);
    await app.click('[data-testid="filters-toggle"]');
    await pick('[data-testid="saved-views"]', VIEW);
    await app.waitUntil(telegramOnly);
    await app.screenshot(join(shots, 'saved-view-ar.png'));
    const del = await app.attribute('[data-testid="delete-view"]', 'aria-label');
    assert.ok(del.startsWith('احذف') && del.includes(VIEW), del);
    await app.click('[data-testid="delete-view"]');
    await app.waitUntil(`return !document.querySelector('[data-testid="saved-views"]');`);
    await pick('[data-testid="filter-channel"]', '');
    await app.waitUntil(`return !!document.querySelector('[data-testid="conversation-row"] .channel:not(.channel-telegram)');`);

    // The command palette and the shortcuts (by physical key: an Arabic layout types ن for K).
    await app.execute(`window.dispatchEvent(new KeyboardEvent('keydown', { key: 'ن', code: 'KeyK', ctrlKey: true, bubbles: true }));`);
    await app.find('[data-testid="palette"]');
    // A contact's name jumps to their conversation, found in the whole cache (not only among
    // the rows loaded), with Enter.
    await app.type('[data-testid="palette-input"]', shopper);
    await app.waitUntil(`return document.querySelector('[data-testid="palette-item"]')?.textContent.trim() === arguments[0];`, [shopper]);
    await app.screenshot(join(shots, 'palette-ar.png'));
    await app.execute(`document.querySelector('[data-testid="palette-input"]').dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true }));`);
    await app.waitUntil(`return document.querySelector('[data-testid="conversation-name"]')?.textContent === arguments[0] && !document.querySelector('[data-testid="palette"]');`, [shopper]);
    await app.execute(`window.dispatchEvent(new KeyboardEvent('keydown', { key: '؟', code: 'Slash', shiftKey: true, bubbles: true }));`);
    await app.find('[data-testid="help"]');
    await app.screenshot(join(shots, 'shortcuts-ar.png'));
    await app.execute(`window.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape', bubbles: true }));`);

    // The cards mirror too; snoozing until a chosen time (tomorrow morning is offered).
    await app.execute(clickRowNamed, [shopper]);
    await app.find('[data-testid="card-location"]');
    assert.ok(['بطاقة جهة اتصال · Omar Ali عمر', 'موقع · برج خليفة'].includes(await app.execute(previewOf, [shopper])));
    // Inside the right-to-left layout the phone number still reads left to right: its
    // first character is drawn left of its last.
    const leftToRight = await app.execute(`
      return [...document.querySelectorAll('[data-testid^="card-"] bdi')].map((b) => {
        const t = b.firstChild;
        const r = document.createRange();
        r.setStart(t, 0); r.setEnd(t, 1);
        const first = r.getBoundingClientRect().left;
        r.setStart(t, t.length - 1); r.setEnd(t, t.length);
        return [b.textContent, first < r.getBoundingClientRect().left];
      });`);
    assert.deepEqual(leftToRight.sort(), [['+971 50 765 4321', true], ['25.19720, 55.27438', true]]);
    await app.select('[data-testid="status-menu"]', 'snooze:custom');
    const at = await app.execute(`return document.querySelector('[data-testid="snooze-input"]').value;`);
    assert.match(at, /^\d{4}-\d{2}-\d{2}T09:00$/);
    await app.screenshot(join(shots, 'cards-snooze-ar.png'));
    await app.click('[data-testid="snooze-at"] button[type="submit"]');
    await app.waitUntil(`return !!document.querySelector('[data-testid="conversation-status"].status-snoozed');`);

    // Dark, in both languages; Settings in both.
    await app.click('[data-testid="nav-settings"]');
    await app.click('[data-testid="theme-dark"]');
    await app.find('html[data-theme="dark"]');
    await app.screenshot(join(shots, 'settings-ar-dark.png'));
    await app.click('[data-testid="nav-inbox"]');
    await app.find('[data-testid="conversation-name"]');
    await atLeastNineRows();
    await app.screenshot(join(shots, 'inbox-ar-dark.png'));
    await app.click('[data-testid="language-switch"]');
    await app.find('html[dir="ltr"]');
    await app.find('[data-testid="conversation-name"]');
    await app.screenshot(join(shots, 'inbox-en-dark.png'));
    await app.click('[data-testid="nav-settings"]');
    await app.click('[data-testid="theme-light"]');
    await app.find('html[data-theme="light"]');
    await app.screenshot(join(shots, 'settings-en.png'));

    // Signing out of the demo leads to the sign-in screen.
    await app.click('[data-testid="sign-out"]');
    await app.click('[data-testid="nav-inbox"]');
    await app.find('[data-testid="signin"]');
    await app.screenshot(join(shots, 'signin-en.png'));
    await app.click('[data-testid="language-switch"]');
    await app.find('html[dir="rtl"]');
    await app.screenshot(join(shots, 'signin-ar.png'));
    // A server that is not there: a clear error, in Arabic.
    await app.execute(`const i = document.querySelector('[data-testid="signin-server"]'); i.value = ''; i.dispatchEvent(new Event('input', { bubbles: true }));`);
    await app.type('[data-testid="signin-server"]', 'http://127.0.0.1:9');
    await app.type('[data-testid="signin-email"]', 'omar@noor.demo');
    await app.type('[data-testid="signin-password"]', 'x');
    await app.click('[data-testid="signin-submit"]');
    await app.find('[data-testid="signin-error"]');
    assert.match(await app.text('[data-testid="signin-error"]'), /تعذّر الوصول إلى الخادم/);
  } finally {
    await app.end();
  }
});
