// Fluent bundles built from .ftl sources (plain module: no reactivity here).
import { FluentBundle, FluentResource } from '@fluent/bundle';
import type { Locale } from './bindings';

export const LOCALES: readonly Locale[] = ['en', 'ar'];

/** Builds one bundle per locale from `path → source` pairs. */
export function buildBundles(sources: Record<string, string>): Map<Locale, FluentBundle> {
  const bundles = new Map<Locale, FluentBundle>();
  for (const locale of LOCALES) {
    const bundle = new FluentBundle(locale);
    for (const [path, text] of Object.entries(sources)) {
      if (path.split('/').at(-2) !== locale) continue;
      const errors = bundle.addResource(new FluentResource(text));
      if (errors.length) throw new Error(`${path}: ${errors.map(String).join('; ')}`);
    }
    bundles.set(locale, bundle);
  }
  return bundles;
}

