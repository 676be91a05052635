import type { Plugin } from 'vite';

/** The name the bundled copy of a font family goes by. */
export const bundledName = (family: string) => `${family} (Stepup)`;

/**
 * Renames the bundled font packages' faces (`'Noto Sans'` becomes `'Noto Sans (Stepup)'`), so
 * that a font stack can tell the bundled copy from an installed family of the same name, and keeps
 * only their WOFF2 files: every web view the app runs in reads WOFF2, and the WOFF fallbacks
 * would be packed into the installers as well (about 0.8 MB).
 */
export function renameBundledFaces(css: string): string {
  return css
    .replace(/font-family:\s*'([^']+)'/g, (_, family: string) => `font-family: '${bundledName(family)}'`)
    .replace(/,\s*url\([^)]*\.woff\)\s*format\('woff'\)/g, '');
}

/** The faces the first screen draws with, in either language: Latin and Arabic, 400 and 600. */
export const FIRST_SCREEN_FACES = /^noto-sans-(latin|arabic-arabic)-(400|600)-normal-[\w-]+\.woff2$/;

/** The page's `<link rel="preload">` tags for the built font files among `files` (their paths in
 * the build) that the first screen draws with: fetched as the page starts, not when its script
 * first lays text out. */
export function preloadTags(files: string[]): { tag: string; attrs: Record<string, string | boolean>; injectTo: 'head' }[] {
  return files
    .filter((file) => FIRST_SCREEN_FACES.test(file.split('/').pop() ?? ''))
    .sort()
    .map((file) => ({
      tag: 'link',
      // Fonts are always fetched in CORS mode: a preload without `crossorigin` is fetched twice.
      attrs: { rel: 'preload', href: `/${file}`, as: 'font', type: 'font/woff2', crossorigin: true },
      injectTo: 'head',
    }));
}

/** Vite plugin: `renameBundledFaces` on the bundled font packages' style sheets, and the first
 * screen's faces preloaded by the built page. */
export function bundledFonts(): Plugin {
  return {
    name: 'stepup-bundled-fonts',
    enforce: 'pre',
    transform(code, id) {
      if (!/@fontsource[\\/].*\.css(\?|$)/.test(id)) return null;
      return { code: renameBundledFaces(code), map: null };
    },
    transformIndexHtml(_html, ctx) {
      return ctx.bundle ? preloadTags(Object.keys(ctx.bundle)) : [];
    },
  };
}
