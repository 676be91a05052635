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

/** The largest unit that fits, in seconds, for `relativeTime`. */
const RELATIVE_UNITS: [Intl.RelativeTimeFormatUnit, number][] = [
  ['year', 365 * 86400],
  ['month', 30 * 86400],
  ['week', 7 * 86400],
  ['day', 86400],
  ['hour', 3600],
  ['minute', 60],
];

/** How long ago (or from now) `ms` is, in the app's language: "5 minutes ago", "قبل 5 دقائق",
 * "yesterday"; under a minute, "now". */
export function relativeTime(ms: number, locale: Locale, now = Date.now()): string {
  const rtf = new Intl.RelativeTimeFormat(intlTag(locale), { numeric: 'auto' });
  const secs = (ms - now) / 1000;
  for (const [unit, size] of RELATIVE_UNITS) {
    if (Math.abs(secs) >= size) return rtf.format(Math.trunc(secs / size), unit);
  }
  return rtf.format(0, 'second');
}

/** Hours and minutes left until `until` (never negative). */
export function timeLeft(until: number, now = Date.now()): { hours: number; minutes: number } {
  const mins = Math.max(0, Math.floor((until - now) / 60000));
  return { hours: Math.floor(mins / 60), minutes: mins % 60 };
}

/** A piece of message text; `ltr` pieces (links, emails, phone and order
 * numbers) keep left-to-right inside Arabic text; `link` pieces are web
 * addresses the reader may open. */
export type Segment = { text: string; ltr: boolean; link?: true };

/** The longest web address made a link (what browsers and servers reliably take); a longer
 * run is still isolated left-to-right, as text. */
export const MAX_LINK = 2048;
/** An e-mail address's limits (RFC 5321): longer runs are not addresses. */
const MAX_LOCAL = 64;
const MAX_DOMAIN = 253;

// ASCII character classes, one lookup per character in the scan below.
const DIGIT = 1;
const ALNUM = 2;
/** `[\w.+-]`: an e-mail's local part. */
const LOCAL = 4;
/** `[\w.-]`: an e-mail's domain. */
const DOMAIN = 8;
const CLASSES = new Uint8Array(128);
for (let c = 0; c < 128; c++) {
  const ch = String.fromCharCode(c);
  const word = /\w/.test(ch);
  CLASSES[c] =
    (/\d/.test(ch) ? DIGIT : 0) |
    (/[A-Za-z0-9]/.test(ch) ? ALNUM : 0) |
    (word || '.+-'.includes(ch) ? LOCAL : 0) |
    (word || '.-'.includes(ch) ? DOMAIN : 0);
}
const is = (c: number, cls: number) => c < 128 && ((CLASSES[c] as number) & cls) !== 0;
const isDigit = (c: number) => is(c, DIGIT);
const isAlnum = (c: number) => is(c, ALNUM);
const isLocal = (c: number) => is(c, LOCAL);
const isDomain = (c: number) => is(c, DOMAIN);
/** What `\s` matches in JavaScript. */
const isSpace = (c: number) =>
  c === 32 ||
  (c >= 9 && c <= 13) ||
  c === 0xa0 ||
  c === 0x1680 ||
  (c >= 0x2000 && c <= 0x200a) ||
  c === 0x2028 ||
  c === 0x2029 ||
  c === 0x202f ||
  c === 0x205f ||
  c === 0x3000 ||
  c === 0xfeff;

/** Punctuation that ends a sentence rather than the link before it, Arabic's included. */
const TRAILING = new Set('.,;:!?\'"}>…»”’،؛؟۔');

/** Where a link in `text[start, end)` really ends: trailing punctuation belongs to the
 * sentence, and a closing bracket too unless the link opened it (Wikipedia's `_(disambiguation)`). */
export function linkEnd(text: string, start: number, end: number): number {
  let round = 0;
  let square = 0;
  for (let k = start; k < end; k++) {
    const ch = text[k];
    if (ch === '(') round++;
    else if (ch === ')') round--;
    else if (ch === '[') square++;
    else if (ch === ']') square--;
  }
  while (end > start) {
    const ch = text[end - 1] as string;
    if (ch === ')' && round < 0) round++;
    else if (ch === ']' && square < 0) square++;
    else if (!TRAILING.has(ch)) break;
    end--;
  }
  return end;
}

/** Splits text so that runs which must stay left-to-right can be isolated: web links, e-mail
 * addresses, phone numbers (`+971 50 123 4567`) and order numbers (`#A-1042`).
 *
 * A scanner rather than one regular expression: the e-mail pattern backtracked quadratically
 * on a long word without `@` (3.4 s on 40,000 characters), and inbound text has no length
 * limit. Each run it reads (a word, a run of digits) is read once, so the time is linear in
 * the text whatever it holds. */
export function segments(text: string): Segment[] {
  const out: Segment[] = [];
  const n = text.length;
  let last = 0;
  // The next space at or after the position (the end of a link), found once per word.
  let space = -1;
  // The run of phone characters (`[\d\s-]`) after a digit: its end and its last digit.
  let phoneRun = -1;
  let phoneDigit = -1;

  const push = (from: number, to: number, ltr: boolean, link = false) => {
    if (from > last) out.push({ text: text.slice(last, from), ltr: false });
    out.push(link ? { text: text.slice(from, to), ltr, link: true } : { text: text.slice(from, to), ltr });
    last = to;
  };

  /** `https?://\S+` or `www\.\S+`, up to its trailing punctuation. */
  const linkAt = (i: number): number => {
    const prefix = text.startsWith('https://', i) ? 8 : text.startsWith('http://', i) ? 7 : text.startsWith('www.', i) ? 4 : 0;
    if (!prefix) return -1;
    if (space < i) {
      space = i + prefix;
      while (space < n && !isSpace(text.charCodeAt(space))) space++;
    }
    const end = space - i > MAX_LINK ? space : linkEnd(text, i + prefix, space);
    return end > i + prefix ? end : -1;
  };

  /** `[\w.+-]{1,64}@[\w-]+\.[\w.-]+` from the start of a word, without a final dot. */
  const emailAt = (i: number): number => {
    let at = i;
    while (at < n && at - i <= MAX_LOCAL && isLocal(text.charCodeAt(at))) at++;
    if (at === i || at - i > MAX_LOCAL || text.charCodeAt(at) !== 64) return -1;
    let end = at + 1;
    while (end < n && end - at - 1 <= MAX_DOMAIN && isDomain(text.charCodeAt(end))) end++;
    if (end - at - 1 > MAX_DOMAIN) return -1;
    while (end > at + 1 && text.charCodeAt(end - 1) === 46) end--;
    let dot = at + 1;
    while (dot < end && text.charCodeAt(dot) !== 46) dot++;
    return dot > at + 1 && dot < end - 1 ? end : -1;
  };

  /** `\+?\d[\d\s-]{6,}\d`: to the last digit of the run, at least eight characters on. */
  const phoneAt = (i: number): number => {
    const first = text.charCodeAt(i) === 43 ? i + 1 : i;
    if (!isDigit(text.charCodeAt(first))) return -1;
    if (first >= phoneRun) {
      phoneRun = first + 1;
      phoneDigit = first;
      for (; phoneRun < n; phoneRun++) {
        const c = text.charCodeAt(phoneRun);
        if (isDigit(c)) phoneDigit = phoneRun;
        else if (c !== 45 && !isSpace(c)) break;
      }
    }
    return phoneDigit >= first + 7 ? phoneDigit + 1 : -1;
  };

  /** `#[A-Za-z0-9][A-Za-z0-9-]*\d`. */
  const orderAt = (i: number): number => {
    if (text.charCodeAt(i) !== 35 || !isAlnum(text.charCodeAt(i + 1))) return -1;
    let digit = -1;
    for (let k = i + 2; k < n; k++) {
      const c = text.charCodeAt(k);
      if (isDigit(c)) digit = k;
      else if (!isAlnum(c) && c !== 45) break;
    }
    return digit > 0 ? digit + 1 : -1;
  };

  let i = 0;
  while (i < n) {
    const c = text.charCodeAt(i);
    // Nothing starts with a letter outside ASCII (most of an Arabic message).
    if (c >= 128) {
      i++;
      continue;
    }
    let end = c === 104 || c === 119 ? linkAt(i) : -1;
    if (end > 0) {
      push(i, end, true, end - i <= MAX_LINK);
      i = end;
      continue;
    }
    // An address starts a word (or right after the previous piece): read once per word.
    if (isLocal(c) && (i === last || !isLocal(text.charCodeAt(i - 1)))) end = emailAt(i);
    if (end < 0 && (c === 43 || isDigit(c))) end = phoneAt(i);
    if (end < 0 && c === 35) end = orderAt(i);
    if (end > 0) {
      push(i, end, true);
      i = end;
    } else {
      i++;
    }
  }
  if (last < n) out.push({ text: text.slice(last), ltr: false });
  return out;
}

/** The text a message shows before "Show the whole message": laying out and shaping a very long
 * paragraph (a pasted log, a megabyte of spam) held up the conversation. */
export const SHOWN_AT_FIRST = 20_000;

/** The first `limit` characters or so of `parts`: cut at a space near the limit, never inside a
 * link, an address or a surrogate pair. `cut` says whether anything was left out. */
export function firstPart(parts: Segment[], limit = SHOWN_AT_FIRST): { parts: Segment[]; cut: boolean } {
  const shown: Segment[] = [];
  let total = 0;
  for (const [k, part] of parts.entries()) {
    const room = limit - total;
    if (part.text.length <= room || (part.ltr && part.text.length <= MAX_LINK)) {
      shown.push(part);
      total += part.text.length;
      if (total >= limit) return { parts: shown, cut: k < parts.length - 1 };
      continue;
    }
    // After the last space of the 200 characters before the limit, else at the limit.
    let at = room;
    while (at > room - 200 && at > 0 && !isSpace(part.text.charCodeAt(at - 1))) at--;
    if (at <= room - 200 || at === 0) {
      at = room;
      const c = part.text.charCodeAt(at - 1);
      if (c >= 0xd800 && c <= 0xdbff) at++;
    }
    shown.push({ text: part.text.slice(0, at), ltr: part.ltr });
    return { parts: shown, cut: true };
  }
  return { parts: shown, cut: false };
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
