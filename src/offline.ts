/**
 * The service worker precaches the app for offline use and adds COOP/COEP headers, so the page is cross-origin
 * isolated (multi-threaded WASM) even on static hosts that send no such headers.
 *
 * - A host that sends the headers: the page is isolated already; the worker is registered only after the first
 *   prediction, so its precache download (onnxruntime's wasm and the rest) does not compete with the first visit.
 * - A host that does not: the first visit is not controlled by the worker yet; it installs the worker, then
 *   reloads once (per session) to become isolated. Nothing heavy starts before that reload.
 */
const RELOAD_FLAG = 'glassbox.coi-reload';
const SW_URL = () => new URL('sw.js', location.href);

function available(): boolean {
  return 'serviceWorker' in navigator && !import.meta.env.DEV;
}

/** True when this visit should install the worker and reload before starting the engine. */
export function needsIsolationReload(): boolean {
  // Reload once per session: a host whose responses the worker cannot rewrite would otherwise loop.
  return available() && !self.crossOriginIsolated && !sessionStorage.getItem(RELOAD_FLAG);
}

/**
 * Install the worker, wait until it controls the page, and reload (the returned promise then never settles).
 * Resolves when no reload happens (no control within a few seconds, or registration failed).
 */
export async function reloadIsolated(): Promise<void> {
  try {
    await navigator.serviceWorker.register(SW_URL(), { type: 'module', scope: './' });
    await navigator.serviceWorker.ready;
    if (!navigator.serviceWorker.controller) {
      await new Promise<void>((resolve) => {
        navigator.serviceWorker.addEventListener('controllerchange', () => resolve(), { once: true });
        setTimeout(resolve, 3000);
      });
    }
    if (navigator.serviceWorker.controller) {
      sessionStorage.setItem(RELOAD_FLAG, '1');
      location.reload();
      await new Promise(() => {}); // never resolve: the page is going away
    }
  } catch (e) {
    console.warn('Offline cache unavailable:', e);
  }
}

/**
 * Register the worker for offline use without waiting for it (call once the page has what it needs: its precache
 * downloads then no longer compete with the first prediction).
 */
export function registerOfflineCache(): void {
  if (!available()) return;
  navigator.serviceWorker.register(SW_URL(), { type: 'module', scope: './' }).catch((e: unknown) => console.warn('Offline cache unavailable:', e));
}
