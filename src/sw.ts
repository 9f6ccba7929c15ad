/// <reference lib="webworker" />
/**
 * Service worker: precaches the built app (JS, CSS, onnxruntime's .wasm, the demo models and images) and
 * answers every same-origin request with COOP/COEP/CORP headers added, so the page is cross-origin isolated
 * on any static host and works offline after the first visit. It adds the Content-Security-Policy too (src/engine/csp.ts).
 */
import { cleanupOutdatedCaches, matchPrecache, precacheAndRoute } from 'workbox-precaching';
import { CSP } from './engine/csp';

declare const self: ServiceWorkerGlobalScope & { __WB_MANIFEST: Array<{ url: string; revision: string | null }> };

function withIsolationHeaders(response: Response): Response {
  if (response.status === 0 || response.type === 'opaque' || response.type === 'opaqueredirect') return response;
  const headers = new Headers(response.headers);
  headers.set('Cross-Origin-Opener-Policy', 'same-origin');
  headers.set('Cross-Origin-Embedder-Policy', 'require-corp');
  headers.set('Cross-Origin-Resource-Policy', 'same-origin');
  headers.set('Content-Security-Policy', CSP);
  return new Response(response.body, { status: response.status, statusText: response.statusText, headers });
}

self.addEventListener('install', () => void self.skipWaiting());
self.addEventListener('activate', (event) => event.waitUntil(self.clients.claim()));

const scopePath = new URL(self.registration.scope).pathname;

// Registered before precacheAndRoute so it answers first: precache hit (offline) or network, headers added.
self.addEventListener('fetch', (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== 'GET' || url.origin !== self.location.origin) return;
  event.respondWith(
    (async () => {
      const key = request.mode === 'navigate' ? 'index.html' : url.pathname.startsWith(scopePath) ? url.pathname.slice(scopePath.length) : url.pathname;
      const cached = await matchPrecache(key);
      if (cached) return withIsolationHeaders(cached);
      return withIsolationHeaders(await fetch(request));
    })(),
  );
});

cleanupOutdatedCaches();
precacheAndRoute(self.__WB_MANIFEST);
