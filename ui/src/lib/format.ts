import type { Locale } from './bindings';

/** The locale `Intl` formats in, for dates and for the numbers in translated messages alike:
 * Latin digits in both languages (the UAE's default); a setting for Arabic-Indic digits comes
 * with the regional settings. */
export const intlTag = (locale: Locale) => (locale === 'ar' ? 'ar-AE-u-nu-latn' : 'en-GB');

const CLOCK: Intl.DateTimeFormatOptions = { hour: '2-digit', minute: '2-digit' };
const DAY_MONTH: Intl.DateTimeFormatOptions = { day: 'numeric', month: 'short' };
const FULL_DATE: Intl.DateTimeFormatOptions = { weekday: 'long', day: 'numeric', month: 'long', year: 'numeric' };

// Formatters are costly to build and every list row and message uses one: one per language
// and style, built on first use.
const formatters = new Map<string, Intl.DateTimeFormat>();
function formatter(locale: Locale, opts: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const key = `${locale}|${opts === CLOCK ? 'c' : opts === DAY_MONTH ? 'd' : 'f'}`;
  let f = formatters.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat(intlTag(locale), opts);
    formatters.set(key, f);
  }
  return f;
}

/** Builds the list's time formatters for `locale` ahead of their first use. */
export function warmUpTimes(locale: Locale): void {
  formatter(locale, CLOCK);
  formatter(locale, DAY_MONTH);
}

/** A message or list time: the time today, else the date. */
export function shortTime(ms: number, locale: Locale, now = Date.now()): string {
  const d = new Date(ms);
  const sameDay = new Date(now).toDateString() === d.toDateString();
  return formatter(locale, sameDay ? CLOCK : DAY_MONTH).format(d);
}

export function clockTime(ms: number, locale: Locale): string {
  return formatter(locale, CLOCK).format(new Date(ms));
}

/** A day heading in a conversation: today, yesterday, else the date. */
export function dayKey(ms: number): string {
  return new Date(ms).toDateString();
}

export function dayLabel(ms: number, locale: Locale, now = Date.now()): 'today' | 'yesterday' | string {
  const d = new Date(ms);
  const today = new Date(now);
  if (d.toDateString() === today.toDateString()) return 'today';
  const y = new Date(now);
  y.setDate(y.getDate() - 1);
  if (d.toDateString() === y.toDateString()) return 'yesterday';
  return formatter(locale, FULL_DATE).format(d);
}

/** Hours and minutes left until `until` (never negative). */
export function timeLeft(until: number, now = Date.now()): { hours: number; minutes: number } {
  const mins = Math.max(0, Math.floor((until - now) / 60000));
  return { hours: Math.floor(mins / 60), minutes: mins % 60 };
}

/** A piece of message text; `ltr` pieces (links, emails, phone and order
 * numbers) keep left-to-right inside Arabic text. */
export type Segment = { text: string; ltr: boolean };

const LTR_RUN =
  /(https?:\/\/[^\s]+|www\.[^\s]+|[\w.+-]+@[\w-]+\.[\w.-]+|\+?\d[\d\s-]{6,}\d|#[A-Za-z0-9][A-Za-z0-9-]*\d)/g;

/** Splits text so that runs which must stay left-to-right can be isolated. */
export function segments(text: string): Segment[] {
  const out: Segment[] = [];
  let last = 0;
  for (const m of text.matchAll(LTR_RUN)) {
    const at = m.index ?? 0;
    if (at > last) out.push({ text: text.slice(last, at), ltr: false });
    out.push({ text: m[0], ltr: true });
    last = at + m[0].length;
  }
  if (last < text.length) out.push({ text: text.slice(last), ltr: false });
  return out;
}

/** Fills a template body's `{{n}}` placeholders. */
export function fillTemplate(body: string, params: string[]): string {
  return body.replace(/\{\{\s*(\d+)\s*\}\}/g, (whole, n: string) => params[Number(n) - 1] || whole);
}

/** Tomorrow at 09:00 on this machine's clock: when a conversation snoozed "until tomorrow"
 * comes back. */
export function tomorrowMorning(now: Date): number {
  const d = new Date(now.getFullYear(), now.getMonth(), now.getDate() + 1, 9, 0, 0, 0);
  return d.getTime();
}

const pad = (n: number) => String(n).padStart(2, '0');

/** An instant as a `datetime-local` input's value (local time, to the minute). */
export function toLocalInput(ms: number): string {
  const d = new Date(ms);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** A `datetime-local` input's value as an instant, or null when it is not a whole one. */
export function fromLocalInput(value: string): number | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})$/.exec(value);
  if (!m) return null;
  const [y = 0, mo = 0, d = 0, h = 0, mi = 0] = m.slice(1).map(Number);
  const date = new Date(y, mo - 1, d, h, mi);
  // Reject what the calendar does not have (31 February rolls over otherwise).
  if (date.getMonth() !== mo - 1 || date.getDate() !== d || date.getHours() !== h) return null;
  return date.getTime();
}

/** Where an SLA deadline stands at `now`: `overdue` past it, `soon` in the last quarter of the
 * time the request was given, else `ok`; with the time left (or past) in days, hours, minutes. */
export function slaStanding(
  sla: { dueAt: number; startedAt: number },
  now = Date.now(),
): { state: 'ok' | 'soon' | 'overdue'; days: number; hours: number; minutes: number } {
  const left = sla.dueAt - now;
  const given = Math.max(1, sla.dueAt - sla.startedAt);
  const state = left < 0 ? 'overdue' : left * 4 <= given ? 'soon' : 'ok';
  const mins = Math.floor(Math.abs(left) / 60000);
  const days = Math.floor(mins / 1440);
  return { state, days, hours: Math.floor((mins % 1440) / 60), minutes: mins % 60 };
}
