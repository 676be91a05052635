import type { Plugin } from 'vite';

/** The name the bundled copy of a font family goes by. */
export const bundledName = (family: string) => `${family} (Stepup)`;

/**
 * Renames the bundled font packages' faces (`'Noto Sans'` becomes `'Noto Sans (Stepup)'`), so
 * that a font stack can name the installed family first and the bundled copy after it, and keeps
 * only their WOFF2 files: every web view the app runs in reads WOFF2, and the WOFF fallbacks
 * would be packed into the installers as well (about 0.8 MB).
 */
export function renameBundledFaces(css: string): string {
  return css
    .replace(/font-family:\s*'([^']+)'/g, (_, family: string) => `font-family: '${bundledName(family)}'`)
    .replace(/,\s*url\([^)]*\.woff\)\s*format\('woff'\)/g, '');
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
