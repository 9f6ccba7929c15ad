/**
 * Registers the service worker that precaches the app for offline use and adds COOP/COEP headers, so the page
 * is cross-origin isolated (multi-threaded WASM) even on static hosts that send no such headers. The first
 * visit is not controlled by the worker yet: reload once when it takes control.
 */
export async function registerOfflineCache(): Promise<void> {
  if (!('serviceWorker' in navigator) || import.meta.env.DEV) return;
  try {
    const registration = await navigator.serviceWorker.register(new URL('sw.js', location.href), { type: 'module', scope: './' });
    if (self.crossOriginIsolated) return;
    await navigator.serviceWorker.ready;
    if (!navigator.serviceWorker.controller) {
      await new Promise<void>((resolve) => {
        navigator.serviceWorker.addEventListener('controllerchange', () => resolve(), { once: true });
        setTimeout(resolve, 3000);
      });
    }
    // Reload once per session: a host whose responses the worker cannot rewrite would otherwise loop.
    if (navigator.serviceWorker.controller && !sessionStorage.getItem('glassbox.coi-reload')) {
      sessionStorage.setItem('glassbox.coi-reload', '1');
      location.reload();
      await new Promise(() => {}); // never resolve: the page is going away
    }
    void registration;
  } catch (e) {
    console.warn('Offline cache unavailable:', e);
  }
}
