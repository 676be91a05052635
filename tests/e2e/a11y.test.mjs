// Accessibility in the real web view: axe-core run on every screen in English and Arabic, light
// and dark; the whole agent's day done from the keyboard; dialogs that take the focus, keep it
// and give it back; new customer messages announced to screen readers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Key, Session } from './webdriver.mjs';
import { application, demoApp, root, shots, visitor } from './fixtures.mjs';

const AXE = readFileSync(join(root, 'ui/node_modules/axe-core/axe.min.js'), 'utf8');
const demo = demoApp('a11y');

/** axe's serious and critical findings on the page as it is now (WCAG 2.1 A and AA, and axe's
 * best practices), each with a few of the elements it names. */
async function violations(app) {
  const loaded = await app.execute('return typeof window.axe === "object";');
  if (!loaded) await app.execute(`${AXE}\n;window.axe = axe;`);
  const found = await app.executeAsync(`
    const done = arguments[arguments.length - 1];
    axe
      .run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] }, resultTypes: ['violations'] })
      .then((r) => done(r.violations
        .filter((v) => v.impact === 'serious' || v.impact === 'critical')
        .map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 4).map((n) => n.html.slice(0, 120) + ' — ' + (n.failureSummary ?? '').split(String.fromCharCode(10)).slice(1).join(' ').slice(0, 200)) }))))
      .catch((e) => done([{ id: 'axe-failed', help: String(e) }]));`);
  return found;
}

/** Every screen is checked before the test fails, so one run names all that is wrong. */
const report = [];
async function noViolations(app, where) {
  const found = await violations(app);
  if (found.length) report.push({ where, found });
}

test('every screen passes axe in English and Arabic, light and dark', async () => {
  const app = await Session.start(demo.driver.url, application, { implicitMs: 60_000 });
  try {
    await app.find('[data-testid="sync-state"].sync-online');
    await app.click('[data-testid="conversation-row"]');
    await app.find('[data-testid="conversation-name"]');

    for (const theme of ['light', 'dark']) {
      await app.click('[data-testid="nav-settings"]');
      await app.click(`[data-testid="theme-${theme}"]`);
      await app.find(`html[data-theme="${theme}"]`);
      for (const lang of ['en', 'ar']) {
        if ((await app.attribute('html', 'lang')) !== lang) {
          await app.click('[data-testid="language-switch"]');
          await app.find(`html[lang="${lang}"]`);
        }
        // Each screen: how to reach it from the one before, and what says it is there (the inbox
        // opens with its filters folded).
        const screens = [
          ['settings', null, '[data-testid="settings"]'],
          ['inbox', '[data-testid="nav-inbox"]', '[data-testid="conversation-name"]'],
          ['inbox with its filters', '[data-testid="filters-toggle"]', '[data-testid="filter-panel"]'],
          ['analytics', '[data-testid="nav-analytics"]', '[data-days]'],
          ['broadcasts', '[data-testid="nav-broadcasts"]', '[data-testid="broadcast"]'],
          ['new broadcast', '[data-testid="broadcast-new"]', '[data-testid="broadcast-form"]'],
        ];
        for (const [screen, open, ready] of screens) {
          if (open) await app.click(open);
          await app.find(ready);
          await noViolations(app, `${screen}, ${lang}, ${theme}`);
        }
        await app.click('[data-testid="nav-settings"]');
      }
    }
    await app.click('[data-testid="theme-light"]');
    await app.find('html[data-theme="light"]');
    await app.click('[data-testid="language-switch"]');
    await app.find('html[lang="en"]');
    assert.deepEqual(report, [], JSON.stringify(report, null, 2));
  } finally {
    await app.end();
  }
});

test('a day from the keyboard: sign in, find the customer who just wrote, reply, assign, resolve, analytics; dialogs hold the focus; arrivals announced', async () => {
  const app = await Session.start(demo.driver.url, application, { implicitMs: 60_000 });
  const focused = (css) => app.waitUntil(`return document.activeElement?.matches(arguments[0]) === true;`, [css]);
  try {
    await app.find('[data-testid="sync-state"].sync-online');
    const cloud = readFileSync(join(demo.home, 'data', 'demo', 'cloud-url'), 'utf8').trim();

    // A new customer message is said politely, with who wrote it.
    await app.execute(`document.querySelector('[data-testid="conversation-list"]').focus();`);
    const say = await visitor(cloud, 'Dana Keys', 'en');
    await say('Is the oud in stock?');
    await app.waitUntil(`const a = document.querySelector('[data-testid="announcer"]');
      return a.getAttribute('aria-live') === 'polite' && a.textContent.includes('Dana Keys') && a.textContent.includes('Web Chat');`);

    // Signing in (another agent, as a second account), from the keyboard only: the form takes the focus.
    await app.click('[data-testid="nav-settings"]');
    await app.click('[data-testid="add-account"]');
    await focused('[data-testid="signin-server"]');
    assert.deepEqual(await violations(app), [], 'the sign-in screen');
    await app.keys([Key.Control, 'a'], cloud, Key.Tab, 'omar@noor.demo', Key.Tab, 'stepup-demo', Key.Enter);
    await app.waitUntil(`return !document.querySelector('[data-testid="signin"]');`);
    await app.find('[data-testid="sync-state"].sync-online');

    // Find a customer: "/" to search, Enter opens the best hit, Escape back to the list.
    await app.execute('document.activeElement?.blur();');
    await app.keys('/');
    await focused('[data-testid="search"]');
    await app.keys('Dana Keys');
    await app.find('[data-testid="search-group-contact"] [data-testid="search-result"]');
    await app.keys(Key.Enter);
    await app.waitUntil(`return document.querySelector('[data-testid="conversation-name"]')?.textContent === 'Dana Keys';`);
    await app.keys(Key.Escape);

    // Reply: R, type, Enter; Escape leaves the composer.
    await app.keys('r');
    await focused('[data-testid="composer"]');
    await app.keys('Yes, it is in stock ✓', Key.Enter);
    // Sent as the agent who signed in.
    await app.waitUntil(`return [...document.querySelectorAll('.bubble.outbound')].some((b) => b.textContent.includes('Yes, it is in stock') && b.textContent.includes('Omar Khalil'));`);
    await app.keys(Key.Escape);
    await app.waitUntil(`return !document.activeElement?.matches('[data-testid="composer"]');`);

    // Assign to me (A), resolve (E).
    await app.keys('a');
    await app.waitUntil(`const o = document.querySelector('[data-testid="assign"]').selectedOptions[0]?.textContent ?? '';
      return o === 'Me' || o.includes('Omar');`);
    await app.keys('e');
    await app.find('[data-testid="conversation-status"].status-resolved');

    // The shortcuts' dialog takes the focus, keeps Tab inside and gives it back on Escape.
    await app.execute(`document.querySelector('[data-testid="conversation-list"]').focus();`);
    await app.keys('?');
    await app.find('[data-testid="help"]');
    await focused('[data-testid="help"] *, [data-testid="help"]');
    assert.deepEqual(await violations(app), [], 'the shortcuts dialog');
    for (let i = 0; i < 4; i++) {
      await app.keys(Key.Tab);
      assert.ok(
        await app.execute(`return document.querySelector('[data-testid="help"]').contains(document.activeElement);`),
        `the focus stays in the dialog: ${await app.execute('return document.activeElement?.outerHTML.slice(0, 200);')}`,
      );
    }
    await app.execute(`window.__tabKey = null; document.addEventListener('keydown', (e) => { window.__tabKey = e.key + '/' + e.code; }, { once: true, capture: true });`);
    await app.keys([Key.Shift, Key.Tab]);
    assert.ok(
      await app.execute(`return document.querySelector('[data-testid="help"]').contains(document.activeElement);`),
      `Shift+Tab (${await app.execute('return window.__tabKey;')}) left the dialog for ${await app.execute('return document.activeElement?.outerHTML.slice(0, 200);')}`,
    );
    await app.keys(Key.Escape);
    await app.waitUntil(`return !document.querySelector('[data-testid="help"]');`);
    await focused('[data-testid="conversation-list"]');

    // Analytics through the command palette.
    await app.keys([Key.Control, 'k']);
    await focused('[data-testid="palette-input"]');
    assert.deepEqual(await violations(app), [], 'the command palette');
    await app.keys('Analytics');
    await app.waitUntil(`return document.querySelector('[data-testid="palette-item"][aria-selected="true"]')?.textContent.includes('Analytics') ?? false;`);
    await app.keys(Key.Enter);
    await app.find('[data-testid="analytics"]');
    assert.equal(await app.countNow('[data-testid="palette"]'), 0);
  } catch (err) {
    await app.screenshot(join(shots, 'failed-keyboard.png')).catch(() => {});
    throw err;
  } finally {
    await app.end();
  }
});
