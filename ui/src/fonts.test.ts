import { describe, expect, it } from 'vitest';
import { bundledName, renameBundledFaces } from '../vite-plugins/fonts';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

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

  it('names the installed family before its bundled copy, in both languages', () => {
    for (const selector of [':root', ':root:lang(ar)']) {
      const families = stack(selector);
      for (const family of ['Noto Sans', 'Noto Sans Arabic']) {
        expect(families.indexOf(family)).toBeGreaterThanOrEqual(0);
        expect(families.indexOf(bundledName(family))).toBeGreaterThan(families.indexOf(family));
      }
    }
    // Arabic first in the Arabic interface, Latin first in the English one.
    expect(stack(':root')[0]).toBe('Noto Sans');
    expect(stack(':root:lang(ar)')[0]).toBe('Noto Sans Arabic');
  });
});
