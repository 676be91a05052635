import type { Locale } from './bindings';

// Latin digits in both languages (the UAE's default); a setting for
// Arabic-Indic digits comes with the regional settings.
const tag = (locale: Locale) => (locale === 'ar' ? 'ar-AE-u-nu-latn' : 'en-GB');

/** A message or list time: the time today, else the date. */
export function shortTime(ms: number, locale: Locale, now = Date.now()): string {
  const d = new Date(ms);
  const sameDay = new Date(now).toDateString() === d.toDateString();
  const opts: Intl.DateTimeFormatOptions = sameDay
    ? { hour: '2-digit', minute: '2-digit' }
    : { day: 'numeric', month: 'short' };
  return new Intl.DateTimeFormat(tag(locale), opts).format(d);
}

export function clockTime(ms: number, locale: Locale): string {
  return new Intl.DateTimeFormat(tag(locale), { hour: '2-digit', minute: '2-digit' }).format(new Date(ms));
}
