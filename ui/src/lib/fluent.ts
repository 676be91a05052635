// Fluent bundles built from .ftl sources (plain module: no reactivity here).
import { FluentBundle, FluentResource } from '@fluent/bundle';
import type { Locale } from './bindings';
import { intlTag } from './format';

/** A translation file: its Fluent source, or its entries read at build time, as JSON
 * (`*.ftl?fluent`, see `ui/vite-plugins/fluent.ts`). */
export type Source = string | { entries: string };

export const LOCALES: readonly Locale[] = ['en', 'ar'];

/** One bundle per locale, each read from its sources the first time it is asked for. */
export interface Bundles {
  get(locale: Locale): FluentBundle | undefined;
}

/** Builds one bundle per locale from `path → source` pairs, lazily: a start in one
 * language reads only that language's files. */
export function buildBundles(sources: Record<string, Source>): Bundles {
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

function buildBundle(locale: Locale, sources: Record<string, Source>): FluentBundle {
  // Numbers in messages (counts) in the same digits as the dates: the bare language would
  // leave them to each web view's locale data (Arabic-Indic digits in some, Latin in others).
  const bundle = new FluentBundle(intlTag(locale));
  for (const [path, source] of Object.entries(sources)) {
    if (path.split('/').at(-2) !== locale) continue;
    const errors = bundle.addResource(resource(source));
    if (errors.length) throw new Error(`${path}: ${errors.map(String).join('; ')}`);
  }
  return bundle;
}

function resource(source: Source): FluentResource {
  if (typeof source === 'string') return new FluentResource(source);
  const read = new FluentResource('');
  read.body = JSON.parse(source.entries) as FluentResource['body'];
  return read;
}
