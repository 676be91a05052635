import { describe, expect, it } from 'vitest';
import { dayLabel, fillTemplate, segments, slaStanding, timeLeft } from './format';

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
