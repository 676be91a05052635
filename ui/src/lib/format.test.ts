import { describe, expect, it } from 'vitest';
import { dayLabel, fillTemplate, firstPart, MAX_LINK, relativeTime, segments, slaStanding, timeLeft } from './format';
import { megabyteMessage } from '../testing/messages';

describe('segments', () => {
  it('isolates phone numbers, links, emails and order numbers inside Arabic', () => {
    const s = segments('اتصل على +971 50 123 4567 أو sara@noor.ae بخصوص الطلب #A-1042 https://noor.ae/t?x=1');
    expect(s.filter((p) => p.ltr).map((p) => p.text)).toEqual([
      '+971 50 123 4567',
      'sara@noor.ae',
      '#A-1042',
      'https://noor.ae/t?x=1',
    ]);
    expect(s.map((p) => p.text).join('')).toBe(
      'اتصل على +971 50 123 4567 أو sara@noor.ae بخصوص الطلب #A-1042 https://noor.ae/t?x=1',
    );
  });

  it('leaves plain text whole, markup included (rendered as text)', () => {
    expect(segments('<img src=x onerror=alert(1)>')).toEqual([{ text: '<img src=x onerror=alert(1)>', ltr: false }]);
    expect(segments('7abibi 3ndi so2al')).toEqual([{ text: '7abibi 3ndi so2al', ltr: false }]);
  });

  it('marks web links, not the sentence punctuation after them', () => {
    expect(segments('See www.noor.ae/offers, or https://noor.ae/t?x=1. Thanks')).toEqual([
      { text: 'See ', ltr: false },
      { text: 'www.noor.ae/offers', ltr: true, link: true },
      { text: ', or ', ltr: false },
      { text: 'https://noor.ae/t?x=1', ltr: true, link: true },
      { text: '. Thanks', ltr: false },
    ]);
    expect(segments('(https://noor.ae/a_(b))').map((p) => p.text)).toEqual(['(', 'https://noor.ae/a_(b)', ')']);
    expect(segments('«https://noor.ae/x»؟').map((p) => p.text)).toEqual(['«', 'https://noor.ae/x', '»؟']);
    // A prefix alone is not a link.
    expect(segments('https://. www.')).toEqual([{ text: 'https://. www.', ltr: false }]);
  });

  it('reads e-mail addresses, phone and order numbers as before', () => {
    const ltr = (text: string) => segments(text).filter((p) => p.ltr).map((p) => p.text);
    expect(ltr('write to sara.k+orders@mail.noor.ae.')).toEqual(['sara.k+orders@mail.noor.ae']);
    expect(ltr('a@b. a@.b a@b.c')).toEqual(['a@b.c']);
    expect(ltr('0501234567 or +971-4-123-4567 - not 123 45')).toEqual(['0501234567', '+971-4-123-4567']);
    expect(ltr('#A-1042 #AB #1 #A- #12')).toEqual(['#A-1042', '#12']);
    expect(ltr('info@www.noor.ae')).toEqual(['info@www.noor.ae']);
    // Longer than an address can be: not one.
    expect(ltr(`${'a'.repeat(65)}@noor.ae ${'b'.repeat(64)}@noor.ae`)).toEqual([`${'b'.repeat(64)}@noor.ae`]);
    expect(ltr(`x@${'d'.repeat(250)}.com`)).toEqual([]);
  });

  it('keeps a link longer than browsers take left-to-right, as text', () => {
    const long = `https://noor.ae/${'a'.repeat(MAX_LINK)}`;
    expect(segments(`انظر ${long}`)).toEqual([
      { text: 'انظر ', ltr: false },
      { text: long, ltr: true },
    ]);
  });

  it('loses nothing on long or hostile input', () => {
    const whole = (text: string) => expect(segments(text).map((p) => p.text).join('')).toBe(text);
    const word = 'x'.repeat(40_000);
    whole(word);
    expect(segments(word)).toEqual([{ text: word, ltr: false }]);
    const local = `${'a'.repeat(100_000)}@`;
    whole(local);
    expect(segments(local)).toEqual([{ text: local, ltr: false }]);
    whole('https://'.repeat(50_000));
    whole('#a'.repeat(50_000));
    whole(`1${' -'.repeat(50_000)}`);
    whole(`a@${'b'.repeat(100_000)}`);
    const message = megabyteMessage();
    expect(message.length).toBeGreaterThanOrEqual(1_000_000);
    const parts = segments(message);
    whole(message);
    expect(parts.filter((p) => p.link).length).toBeGreaterThan(1000);
  });
});

describe('firstPart', () => {
  it('shows short text whole', () => {
    const parts = segments('مرحبا https://noor.ae');
    expect(firstPart(parts)).toEqual({ parts, cut: false });
  });

  it('cuts a long message at a space near the limit, never inside a link', () => {
    const text = `${'كلمة '.repeat(5000)}https://noor.ae/track ${'word '.repeat(5000)}`;
    const { parts, cut } = firstPart(segments(text), 24_998);
    expect(cut).toBe(true);
    const shown = parts.map((p) => p.text).join('');
    expect(text.startsWith(shown)).toBe(true);
    expect(shown.length).toBeLessThanOrEqual(24_998);
    expect(shown.length).toBeGreaterThan(24_800);
    expect(shown.endsWith(' ')).toBe(true);
    const atLink = firstPart(segments(text), 25_003);
    expect(atLink.parts.at(-1)).toEqual({ text: 'https://noor.ae/track', ltr: true, link: true });
  });

  it('cuts a run without spaces between surrogate pairs', () => {
    const { parts } = firstPart(segments('😀'.repeat(20_000)), 20_001);
    expect(parts[0]?.text.length).toBe(20_002);
  });
});

describe('time', () => {
  it('names today and yesterday, and counts down', () => {
    const now = new Date(2026, 10, 25, 15, 0).getTime();
    expect(dayLabel(new Date(2026, 10, 25, 1, 0).getTime(), 'en', now)).toBe('today');
    expect(dayLabel(new Date(2026, 10, 24, 23, 59).getTime(), 'en', now)).toBe('yesterday');
    expect(dayLabel(new Date(2026, 10, 20, 9, 0).getTime(), 'en', now)).toContain('2026');
    expect(timeLeft(now + 3 * 3600_000 + 5 * 60_000, now)).toEqual({ hours: 3, minutes: 5 });
    expect(timeLeft(now - 1000, now)).toEqual({ hours: 0, minutes: 0 });
  });

  it('fills template placeholders', () => {
    expect(fillTemplate('Hi {{1}}, order {{2}} ships {{ 1 }}', ['Aisha', '#A-1'])).toBe('Hi Aisha, order #A-1 ships Aisha');
    expect(fillTemplate('Hi {{1}}', [])).toBe('Hi {{1}}');
  });
});

describe('snooze times', () => {
  it('tomorrow morning is 09:00 the next day, across a month end', async () => {
    const { tomorrowMorning, toLocalInput } = await import('./format');
    expect(toLocalInput(tomorrowMorning(new Date(2026, 10, 30, 23, 50)))).toBe('2026-12-01T09:00');
    expect(toLocalInput(tomorrowMorning(new Date(2026, 10, 25, 0, 5)))).toBe('2026-11-26T09:00');
  });

  it('reads back what it writes and refuses what is not a time', async () => {
    const { fromLocalInput, toLocalInput } = await import('./format');
    const at = new Date(2027, 0, 2, 14, 30).getTime();
    expect(fromLocalInput(toLocalInput(at))).toBe(at);
    for (const bad of ['', '2027-02-31T10:00', '2027-01-02 14:30', '2027-01-02T25:00', 'tomorrow']) {
      expect(fromLocalInput(bad)).toBeNull();
    }
  });
});

describe('slaStanding', () => {
  const start = Date.UTC(2026, 11, 3, 9, 0);
  const sla = { startedAt: start, dueAt: start + 60 * 60000 };

  it('counts down, warns in the last quarter and counts past the deadline', () => {
    expect(slaStanding(sla, start + 10 * 60000)).toEqual({ state: 'ok', days: 0, hours: 0, minutes: 50 });
    expect(slaStanding(sla, start + 45 * 60000).state).toBe('soon');
    expect(slaStanding(sla, start + 44 * 60000).state).toBe('ok');
    expect(slaStanding(sla, start + 60 * 60000).state).toBe('soon');
    expect(slaStanding(sla, start + 65 * 60000)).toEqual({ state: 'overdue', days: 0, hours: 0, minutes: 5 });
    expect(slaStanding(sla, start + (60 + 26 * 60 + 7) * 60000)).toEqual({ state: 'overdue', days: 1, hours: 2, minutes: 7 });
  });
});

describe('relativeTime', () => {
  const now = Date.UTC(2026, 2, 10, 12, 0);
  const ago = (secs: number, locale: 'en' | 'ar' = 'en') => relativeTime(now - secs * 1000, locale, now);

  it('says how long ago in the largest unit that fits', () => {
    expect(ago(20)).toBe('now');
    expect(ago(90)).toBe('1 minute ago');
    expect(ago(5 * 60)).toBe('5 minutes ago');
    expect(ago(3 * 3600)).toBe('3 hours ago');
    expect(ago(30 * 3600)).toBe('yesterday');
    expect(ago(3 * 86400)).toBe('3 days ago');
    expect(ago(15 * 86400)).toBe('2 weeks ago');
    expect(ago(400 * 86400)).toBe('last year');
  });

  it('in Arabic, with Latin digits', () => {
    expect(ago(20, 'ar')).toBe('الآن');
    expect(ago(2 * 60, 'ar')).toBe('قبل دقيقتين');
    expect(ago(5 * 60, 'ar')).toBe('قبل 5 دقائق');
    expect(ago(30 * 3600, 'ar')).toBe('أمس');
    expect(ago(11 * 86400, 'ar')).toBe('الأسبوع الماضي');
  });
});
