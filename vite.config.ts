import { readFileSync } from 'node:fs';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';
import { VitePWA } from 'vite-plugin-pwa';

/** Cross-origin isolation: SharedArrayBuffer → multi-threaded WASM in onnxruntime-web. */
const crossOriginIsolation = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

const { version } = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8')) as { version: string };

export default defineConfig({
  // recorded in exported result files
  define: { __GLASSBOX_VERSION__: JSON.stringify(version) },
  base: './',
  plugins: [
    react(),
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
        // onnxruntime's wasm is ~27 MB; Workbox's 2 MiB default would fail the build.
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
  // GLASSBOX_NO_ISOLATION=1 mimics a static host that sends no headers (the service worker must add them).
  preview: { headers: process.env.GLASSBOX_NO_ISOLATION ? {} : crossOriginIsolation },
  build: { target: 'es2022', chunkSizeWarningLimit: 2048 },
});
