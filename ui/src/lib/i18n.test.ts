// The UI's plural selection (@fluent/bundle over Intl.PluralRules) must equal
// CLDR's rules for Arabic and English for every n in 0..=1200 and 1.5, 2.5,
// the same check crates/i18n/tests/plurals.rs makes for the Rust side.
import { describe, expect, it } from 'vitest';
import { applyLocale, format, t } from './i18n.svelte';
import { buildBundles } from './fluent';
import { FluentResource } from '@fluent/bundle';
import { compileFluent } from '../../vite-plugins/fluent';
import type { Locale } from './bindings';

const CATEGORIES = ['zero', 'one', 'two', 'few', 'many', 'other'] as const;

function cldrArabic(n: number): string {
  const integer = Number.isInteger(n);
  const mod100 = n % 100;
  if (n === 0) return 'zero';
  if (n === 1) return 'one';
  if (n === 2) return 'two';
  if (integer && mod100 >= 3 && mod100 <= 10) return 'few';
  if (integer && mod100 >= 11 && mod100 <= 99) return 'many';
  return 'other';
}

function cldrEnglish(n: number): string {
  return n === 1 ? 'one' : 'other';
}

const probe =
  'probe = { $n ->\n' +
  CATEGORIES.map((c) => `   ${c === 'other' ? '*' : ' '}[${c}] ${c}\n`).join('') +
  '  }\n';
const probes = buildBundles({ '/i18n/en/probe.ftl': probe, '/i18n/ar/probe.ftl': probe });
const samples = [...Array.from({ length: 1201 }, (_, i) => i), 1.5, 2.5];

describe('plural selection follows CLDR', () => {
  it('in Arabic', () => {
    const wrong = samples
      .map((n) => [n, format('ar', 'probe', { n }, probes), cldrArabic(n)] as const)
      .filter(([, got, want]) => got !== want);
    expect(wrong).toEqual([]);
  });

  it('in English', () => {
    const wrong = samples
      .map((n) => [n, format('en', 'probe', { n }, probes), cldrEnglish(n)] as const)
      .filter(([, got, want]) => got !== want);
    expect(wrong).toEqual([]);
  });

  it('reference rules reach every Arabic category', () => {
    expect(new Set(samples.map(cldrArabic)).size).toBe(6);
  });
});

describe('shipped catalogs', () => {
  const strip = (s: string) => s.replace(/[\u2066-\u2069]/g, '');
  it('pick the right Arabic form', () => {
    const open = (count: number) => strip(format('ar', 'inbox-open-count', { count }));
    expect(open(0)).toBe('لا توجد محادثات مفتوحة');
    expect(open(2)).toBe('محادثتان مفتوحتان');
    expect(open(3)).toBe('3 محادثات مفتوحة');
    expect(open(11)).toBe('11 محادثة مفتوحة');
    expect(open(100)).toBe('100 محادثة مفتوحة');
    expect(open(103)).toBe('103 محادثات مفتوحة');
  });

  it('fall back to English, then to the id', () => {
    expect(format('ar', 'nav-inbox')).toBe('صندوق الوارد');
    expect(format('en', 'no-such-id')).toBe('no-such-id');
  });

  it('t() follows the language, also for labels it has formatted before', () => {
    applyLocale('en');
    expect(t('nav-inbox')).toBe('Inbox');
    applyLocale('ar');
    expect(t('nav-inbox')).toBe('صندوق الوارد');
    expect(strip(t('inbox-open-count', { count: 2 }))).toBe('محادثتان مفتوحتان');
    applyLocale('en');
    expect(t('nav-inbox')).toBe('Inbox');
  });
});

describe('translations read at build time', () => {
  const sources = import.meta.glob(['../../../i18n/*/*.ftl', '!../../../i18n/*/webchat.ftl', '!../../../i18n/*/customers.ftl'], { query: '?raw', import: 'default', eager: true }) as Record<
    string,
    string
  >;
  const fromSource = buildBundles(sources);

  it('format every message and attribute as the sources read at run time do', () => {
    let compared = 0;
    for (const [path, text] of Object.entries(sources)) {
      // Every variable the file uses, as a number (plural selection included).
      const args = Object.fromEntries([...text.matchAll(/\$([a-zA-Z][\w-]*)/g)].map((m) => [m[1], 3]));
      const locale = path.split('/').at(-2) as Locale;
      for (const entry of new FluentResource(text).body) {
        if (entry.id.startsWith('-')) continue;
        for (const id of [entry.id, ...Object.keys(entry.attributes).map((a) => `${entry.id}.${a}`)]) {
          expect(format(locale, id, args), `${locale} ${id}`).toBe(format(locale, id, args, fromSource));
          compared += 1;
        }
      }
    }
    expect(compared).toBeGreaterThan(300);
  });

  it('refuse a file with an entry Fluent cannot read', () => {
    expect(() => compileFluent('fine = Fine\nbroken = { $count\nlast = Last\n', 'x.ftl')).toThrow(/x\.ftl: cannot read broken/);
    expect(JSON.parse(compileFluent('fine = Fine\n', 'x.ftl'))).toEqual([{ id: 'fine', value: 'Fine', attributes: {} }]);
  });
});
