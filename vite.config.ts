import { readFileSync } from 'node:fs';
import react from '@vitejs/plugin-react';
import { defineConfig, type Plugin } from 'vite';
import { VitePWA } from 'vite-plugin-pwa';
import { CSP } from './src/engine/csp';

/** Cross-origin isolation: SharedArrayBuffer → multi-threaded WASM in onnxruntime-web. */
const crossOriginIsolation = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

/** What `vite preview` sends: isolation and the Content-Security-Policy (src/engine/csp.ts; the service worker sends the same). */
const previewHeaders = { ...crossOriginIsolation, 'Content-Security-Policy': CSP };

/**
 * index.html's CSP <meta> is for the built app: the dev server injects inline scripts (React refresh preamble) and
 * <style> elements (CSS modules, HMR) that the policy forbids, so it is removed there.
 */
const noCspMetaInDev: Plugin = {
  name: 'glassbox-no-csp-meta-in-dev',
  apply: 'serve',
  transformIndexHtml: (html) => html.replace(/\s*<meta http-equiv="Content-Security-Policy"[^>]*>/, ''),
};

const { version } = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8')) as { version: string };

export default defineConfig({
  // recorded in exported result files
  define: { __GLASSBOX_VERSION__: JSON.stringify(version) },
  base: './',
  plugins: [
    react(),
    noCspMetaInDev,
    VitePWA({
      strategies: 'injectManifest',
      srcDir: 'src',
      filename: 'sw.ts',
      injectRegister: false,
      injectManifest: {
        globPatterns: ['**/*.{js,mjs,css,html,wasm,onnx,png,json,svg,webmanifest}'],
        // The demo's figures are for the tests and docs, not the app: each precached file is one more request before
        // the first visit's reload on hosts without isolation headers. Its masks are the app's ground truth (offline too).
        globIgnores: ['demo/metrics.json'],
        // onnxruntime's two wasm builds (the worker's loadOrt: plain for WASM, 14 MB; Asyncify for WebGPU, 27 MB) are both
        // precached, so either backend works offline; Workbox's 2 MiB default would fail the build.
        maximumFileSizeToCacheInBytes: 64 * 1024 * 1024,
      },
      manifest: {
        name: 'Glassbox — explain image classifiers',
        short_name: 'Glassbox',
        start_url: '.',
        display: 'standalone',
        background_color: '#0f1115',
        theme_color: '#0f1115',
        icons: [{ src: 'favicon.svg', sizes: 'any', type: 'image/svg+xml' }],
      },
    }),
  ],
  worker: { format: 'es' },
  server: { headers: crossOriginIsolation },
  // GLASSBOX_NO_ISOLATION=1 mimics a static host that sends no headers (the service worker must add them; the
  // CSP <meta> in index.html covers the first, uncontrolled visit).
  preview: { headers: process.env.GLASSBOX_NO_ISOLATION ? {} : previewHeaders },
  build: { target: 'es2022', chunkSizeWarningLimit: 2048 },
});
