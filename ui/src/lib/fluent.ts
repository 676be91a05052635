// Fluent bundles built from .ftl sources (plain module: no reactivity here).
import { FluentBundle, FluentResource } from '@fluent/bundle';
import type { Locale } from './bindings';

export const LOCALES: readonly Locale[] = ['en', 'ar'];

/** One bundle per locale, each read from its sources the first time it is asked for. */
export interface Bundles {
  get(locale: Locale): FluentBundle | undefined;
}

/** Builds one bundle per locale from `path → source` pairs, lazily: a start in one
 * language reads only that language's files. */
export function buildBundles(sources: Record<string, string>): Bundles {
  const built = new Map<Locale, FluentBundle>();
  return {
    get(locale) {
      if (!LOCALES.includes(locale)) return undefined;
      let bundle = built.get(locale);
      if (!bundle) {
        bundle = buildBundle(locale, sources);
        built.set(locale, bundle);
      }
      return bundle;
    },
  };
}

function buildBundle(locale: Locale, sources: Record<string, string>): FluentBundle {
  const bundle = new FluentBundle(locale);
  for (const [path, text] of Object.entries(sources)) {
    if (path.split('/').at(-2) !== locale) continue;
    const errors = bundle.addResource(new FluentResource(text));
    if (errors.length) throw new Error(`${path}: ${errors.map(String).join('; ')}`);
  }
  return bundle;
}

