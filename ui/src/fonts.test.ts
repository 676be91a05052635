import { describe, expect, it } from 'vitest';
import { bundledName, preloadTags, renameBundledFaces } from '../vite-plugins/fonts';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { svelteFiles } from './testing/sources';

const css = readFileSync(join(import.meta.dirname, 'app.css'), 'utf8');

const face = `@font-face {
  font-family: 'Noto Sans Arabic';
  font-style: normal;
  font-display: swap;
  font-weight: 600;
  src: url(./files/noto-sans-arabic-arabic-600-normal.woff2) format('woff2');
  unicode-range: U+0600-06FF;
}`;

/** The families of a `--font: …;` declaration, in order. */
function stack(selector: string): string[] {
  const block = css.slice(css.indexOf(`${selector} {`));
  const decl = /--font:\s*([^;]+);/.exec(block)?.[1] ?? '';
  return decl.split(',').map((f) => f.trim().replace(/^'|'$/g, ''));
}

describe('fonts', () => {
  it('renames the bundled faces and keeps everything else', () => {
    const out = renameBundledFaces(face);
    expect(out).toContain("font-family: 'Noto Sans Arabic (Stepup)';");
    expect(out.replace("'Noto Sans Arabic (Stepup)'", "'Noto Sans Arabic'")).toBe(face);
  });

  it('keeps only the WOFF2 files of a face', () => {
    const both = face.replace(
      "format('woff2');",
      "format('woff2'), url(./files/noto-sans-arabic-arabic-600-normal.woff) format('woff');",
    );
    expect(renameBundledFaces(both)).toBe(renameBundledFaces(face));
    expect(renameBundledFaces(both)).toContain('600-normal.woff2) format');
  });

  it('names the bundled copies first and the installed families after them, in both languages', () => {
    for (const selector of [':root', ':root:lang(ar)']) {
      const families = stack(selector);
      for (const family of ['Noto Sans', 'Noto Sans Arabic']) {
        expect(families.indexOf(bundledName(family))).toBeGreaterThanOrEqual(0);
        expect(families.indexOf(family)).toBeGreaterThan(Math.max(families.indexOf('Noto Sans (Stepup)'), families.indexOf('Noto Sans Arabic (Stepup)')));
      }
    }
    // Arabic first in the Arabic interface, Latin first in the English one.
    expect(stack(':root')[0]).toBe(bundledName('Noto Sans'));
    expect(stack(':root:lang(ar)')[0]).toBe(bundledName('Noto Sans Arabic'));
  });

  it('preloads the faces the first screen draws with, Latin and Arabic in both weights, and no other file', () => {
    const files = [
      'assets/index-abc.js',
      'assets/noto-sans-latin-400-normal-BTkUljjl.woff2',
      'assets/noto-sans-latin-600-normal-Dkgu5AE5.woff2',
      'assets/noto-sans-latin-ext-400-normal-CVf-LbaS.woff2',
      'assets/noto-sans-cyrillic-400-normal-x1.woff2',
      'assets/noto-sans-arabic-arabic-400-normal-AAMxebZb.woff2',
      'assets/noto-sans-arabic-arabic-600-normal-JPxwL-XU.woff2',
      'assets/noto-sans-arabic-arabic-700-normal-zz.woff2',
    ];
    const tags = preloadTags(files);
    expect(tags.map((t) => t.attrs.href)).toEqual([
      '/assets/noto-sans-arabic-arabic-400-normal-AAMxebZb.woff2',
      '/assets/noto-sans-arabic-arabic-600-normal-JPxwL-XU.woff2',
      '/assets/noto-sans-latin-400-normal-BTkUljjl.woff2',
      '/assets/noto-sans-latin-600-normal-Dkgu5AE5.woff2',
    ]);
    // A font preload without crossorigin is not used by the font's own (CORS) request.
    for (const t of tags) expect(t.attrs).toMatchObject({ rel: 'preload', as: 'font', type: 'font/woff2', crossorigin: true });
  });

  it('waits for the same faces it preloads before laying out the first screen', () => {
    const main = readFileSync(join(import.meta.dirname, 'main.ts'), 'utf8');
    for (const family of ['Noto Sans', 'Noto Sans Arabic']) {
      for (const weight of ['400', '600']) expect(main).toContain(`"${weight} 14px '${bundledName(family)}'"`);
    }
  });

  it('uses the two weights it bundles, 400 and 600, and no other', () => {
    // A third weight is one more font file read at launch where the system's fonts are used,
    // and a synthesized face where the bundled ones are.
    const main = readFileSync(join(import.meta.dirname, 'main.ts'), 'utf8');
    const bundled = new Set([...main.matchAll(/@fontsource\/[a-z-]+\/(\d+)\.css/g)].map((m) => m[1]));
    expect([...bundled].sort()).toEqual(['400', '600']);
    const sources = [css, ...svelteFiles(import.meta.dirname).map((file) => readFileSync(file, 'utf8'))];
    const weights = sources.flatMap((text) => [...text.matchAll(/font-weight:\s*([^;]+);/g)].map((m) => (m[1] ?? '').trim()));
    expect(weights.length).toBeGreaterThan(10);
    for (const weight of weights) expect(['400', '600', 'normal', 'inherit']).toContain(weight);
    // The elements browsers draw in bold (700) are given the bundled bold.
    const reset = /((?:[a-z0-9]+,\s*)*[a-z0-9]+)\s*\{\s*font-weight:\s*600;\s*\}/.exec(css)?.[1]?.split(/,\s*/) ?? [];
    expect(reset).toEqual(expect.arrayContaining(['h1', 'h2', 'h3', 'b', 'strong', 'th']));
  });
});
