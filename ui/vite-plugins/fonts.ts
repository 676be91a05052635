import type { Plugin } from 'vite';

/** The name the bundled copy of a font family goes by. */
export const bundledName = (family: string) => `${family} (Stepup)`;

/**
 * Renames the bundled font packages' faces (`'Noto Sans'` becomes `'Noto Sans (Stepup)'`), so
 * that a font stack can name the installed family first and the bundled copy after it.
 */
export function renameBundledFaces(css: string): string {
  return css.replace(/font-family:\s*'([^']+)'/g, (_, family: string) => `font-family: '${bundledName(family)}'`);
}

/** Vite plugin: `renameBundledFaces` on the bundled font packages' style sheets. */
export function bundledFonts(): Plugin {
  return {
    name: 'stepup-bundled-fonts',
    enforce: 'pre',
    transform(code, id) {
      if (!/@fontsource[\\/].*\.css(\?|$)/.test(id)) return null;
      return { code: renameBundledFaces(code), map: null };
    },
  };
}
