// The UI's translations: the same i18n/<locale>/*.ftl files the Rust side
// reads, read at build time (ui/vite-plugins/fluent.ts). `t()` is reactive: components that call it
// re-render when the language changes, with no reload.
import type { FluentVariable } from '@fluent/bundle';
import { buildBundles, type Bundles, type Source } from './fluent';
import type { Direction, Locale } from './bindings';

// webchat.ftl (the website widget) and customers.ftl (what the cloud says to customers) are the
// cloud's, not the app's.
const files = import.meta.glob(['../../../i18n/*/*.ftl', '!../../../i18n/*/webchat.ftl', '!../../../i18n/*/customers.ftl'], {
  query: '?fluent',
  import: 'default',
  eager: true,
}) as Record<string, Source>;

const bundles = buildBundles(files);

export function direction(locale: Locale): Direction {
  return locale === 'ar' ? 'rtl' : 'ltr';
}

class I18n {
  locale = $state<Locale>('en');
  get dir(): Direction {
    return direction(this.locale);
  }
}

export const i18n = new I18n();

/** Formats message `id` (or `id.attr`) in `locale`, falling back to English, then to the id. */
export function format(
  locale: Locale,
  id: string,
  args?: Record<string, FluentVariable>,
  source: Bundles = bundles,
): string {
  for (const loc of [locale, 'en'] as Locale[]) {
    const bundle = source.get(loc);
    const [msgId, attr] = id.split('.', 2) as [string, string | undefined];
    const message = bundle?.getMessage(msgId);
    const pattern = attr ? message?.attributes[attr] : message?.value;
    if (bundle && pattern) return bundle.formatPattern(pattern, args);
  }
  return id;
}

/** Messages without arguments, formatted once per language: the same labels repeat on every
 * row of the list, and the translations never change while the app runs. */
const plain: Record<string, string> = {};

/** Translates in the current UI language (reactive). */
export function t(id: string, args?: Record<string, FluentVariable>): string {
  const locale = i18n.locale;
  if (args) return format(locale, id, args);
  const key = `${locale}:${id}`;
  return (plain[key] ??= format(locale, id));
}

/** Readies formatting in `locale` before the first screen needs it: the language's
 * translations, and the number and plural rules of a message with a count (the first such
 * message took ~7 ms on a cold start). */
export function warmUp(locale: Locale): void {
  format(locale, 'inbox-count', { count: 0 });
}

/** Switches the UI language live: `<html lang dir>` and every `t()` call. */
export function applyLocale(locale: Locale): void {
  i18n.locale = locale;
  const html = document.documentElement;
  html.lang = locale;
  html.dir = direction(locale);
}
