// End to end: the Analytics screen of the real app in demo mode (the reference cloud
// in-process, signed in as the supervisor), computed from the encrypted cache.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Session } from './webdriver.mjs';
import { application, demoApp, shots } from './fixtures.mjs';

const demo = demoApp('analytics');

const ARABIC_INDIC = '٠١٢٣٤٥٦٧٨٩';
const arabicDigits = (n) => String(n).replace(/[0-9]/g, (d) => ARABIC_INDIC[Number(d)]);

test('analytics: real figures from the cache, drill-down into the inbox, en and ar, light and dark', async () => {
  const app = await Session.start(demo.driver.url, application, { implicitMs: 60_000 });
  try {
    // The demo has synced once the inbox lists conversations.
    await app.find('[data-testid="conversation-row"]');
    // The demo seeds 320 conversations.
    const conversations = 320;
    await app.click('[data-testid="nav-analytics"]');
    // The first report is on screen before the range changes.
    await app.find('[data-days]');
    await app.click('[data-testid="range-last90"]');
    await app.find('[data-days="90"]');
    // The day-by-day bars are drawn to scale: the busiest day's bar fills the chart's height.
    const tallest = await app.execute(
      `return Math.max(...[...document.querySelectorAll('[data-testid="days-chart"] .bar')].map((b) => b.getBoundingClientRect().height));`,
    );
    assert.ok(tallest > 100, `tallest day bar ${tallest} px`);

    // The demo's conversations started within the last 90 days, nearly all inside the range.
    const value = async (id) => Number(await app.attribute(`[data-testid="figure-${id}"]`, 'data-value'));
    const opened = await value('opened');
    assert.ok(opened > 300 && opened <= conversations, `${opened} of ${conversations}`);
    assert.equal(await app.text('[data-testid="figure-opened"] [data-testid="figure-value"]'), String(opened));
    const resolved = await value('resolved');
    assert.ok(resolved > 100 && resolved < opened, String(resolved));
    assert.ok((await value('messages_in')) > opened);
    assert.ok((await value('ai_share')) > 0);
    const csat = await value('csat');
    assert.ok(csat >= 1 && csat <= 5, String(csat));
    const definition = await app.execute(
      'return document.querySelector(\'[data-testid="figure-first_response_median"] [data-testid="figure-definition"]\').textContent;',
    );
    assert.match(definition, /first reply/);
    assert.equal(await app.count('[data-testid="heatmap"] .hm-cell'), 7 * 24);
    assert.equal(await app.count('[data-testid="channel-row"]'), 6);
    assert.ok((await app.count('[data-testid="agent-row"]')) >= 5);
    await app.screenshot(join(shots, 'analytics-en.png'));
    const charts = "document.querySelector('[data-testid=\"heatmap\"]').scrollIntoView({ block: 'center' });";
    await app.execute(charts);
    await app.screenshot(join(shots, 'analytics-charts-en.png'));

    // The conversations behind a figure, and one of them opened in the inbox.
    await app.click('[data-testid="figure-open-resolved"]');
    await app.find('[data-testid="drill-row"] .name');
    assert.equal(await app.count('[data-testid="drill-row"]'), resolved);
    await app.screenshot(join(shots, 'analytics-drill-en.png'));
    const name = await app.text('[data-testid="drill-row"] .name');
    await app.click('[data-testid="drill-row"]');
    await app.find('[data-testid="screen-inbox"]');
    await app.find('[data-testid="conversation-name"]');
    assert.equal(await app.text('[data-testid="conversation-name"]'), name);

    // CSV through the backend, with a byte-order mark.
    await app.click('[data-testid="nav-analytics"]');
    await app.click('[data-testid="analytics-export"]');
    await app.find('[data-testid="analytics-exported"]');
    const exports = join(demo.home, 'data', 'exports');
    const [csvFile] = readdirSync(exports).filter((f) => f.endsWith('.csv'));
    const csvText = readFileSync(join(exports, csvFile), 'utf8');
    assert.ok(csvText.startsWith('\uFEFF'));
    assert.ok(csvText.includes(`Conversations opened,${opened},count`), csvText.slice(0, 300));

    // Arabic, right to left, with Arabic-Indic digits.
    await app.click('[data-testid="language-switch"]');
    await app.find('html[dir="rtl"]');
    await app.execute(
      "const s = document.querySelector('[data-testid=\"digits\"]'); s.value = 'arabic_indic'; s.dispatchEvent(new Event('change', { bubbles: true }));",
    );
    await app.find('[data-digits="arabic_indic"]');
    assert.equal(await app.text('[data-testid="figure-opened"] [data-testid="figure-value"]'), arabicDigits(opened));
    const title = await app.text('[data-testid="figure-opened"] .card-title');
    assert.equal(title, 'المحادثات المفتوحة');
    await app.screenshot(join(shots, 'analytics-ar.png'));
    await app.execute(charts);
    await app.screenshot(join(shots, 'analytics-charts-ar.png'));
    await app.execute("document.querySelector('[data-testid=\"channels\"]').scrollIntoView({ block: 'center' });");
    await app.screenshot(join(shots, 'analytics-tables-ar.png'));

    // Dark, in both languages.
    await app.click('[data-testid="nav-settings"]');
    await app.click('[data-testid="theme-dark"]');
    await app.find('html[data-theme="dark"]');
    await app.click('[data-testid="nav-analytics"]');
    await app.find('[data-digits="arabic_indic"]');
    await app.screenshot(join(shots, 'analytics-ar-dark.png'));
    await app.click('[data-testid="language-switch"]');
    await app.find('html[dir="ltr"]');
    await app.find('[data-testid="figure-opened"]');
    await app.screenshot(join(shots, 'analytics-en-dark.png'));
  } catch (err) {
    await app.screenshot(join(shots, 'failed-analytics.png')).catch(() => {});
    throw err;
  } finally {
    await app.end();
  }
});
