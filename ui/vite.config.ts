import { defineConfig } from 'vitest/config';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { fileURLToPath } from 'node:url';
import { bundledFonts } from './vite-plugins/fonts.ts';
import { precompiledFluent } from './vite-plugins/fluent.ts';

const root = fileURLToPath(new URL('..', import.meta.url));

// The UI is served by the Tauri shell; in development from this dev server
// (tauri.conf.json's devUrl), in builds from ui/dist embedded in the binary.
export default defineConfig({
  plugins: [bundledFonts(), precompiledFluent(), svelte()],
  clearScreen: false,
  // The translations live at the workspace root (i18n/), shared with Rust.
  server: { port: 5173, strictPort: true, fs: { allow: [root] } },
  envPrefix: ['VITE_'],
  build: {
    // WebKitGTK 2.40+ and WKWebView (Safari 16+) and WebView2 (Chromium).
    target: ['es2022', 'safari16'],
    sourcemap: false,
  },
  test: {
    environment: 'jsdom',
    include: ['src/**/*.test.ts'],
    server: { deps: { inline: [/svelte/] } },
  },
  resolve: process.env.VITEST ? { conditions: ['browser'] } : undefined,
});
