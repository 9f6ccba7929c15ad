import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { createAppStore } from './store/app-store';
import { createAssetFetcher } from './store/demo';
import { registerOfflineCache } from './offline';
import { App } from './ui/App';
import { StoreContext } from './ui/store-context';
import { createComputeClient } from './worker-client';
import './ui/styles.css';

async function boot() {
  // May reload the page once so the service worker can make it cross-origin isolated (WASM threads).
  await registerOfflineCache();
  const settings = JSON.parse(localStorage.getItem('glassbox.settings') ?? '{}') as { state?: { runtime?: { threads?: number } } };
  const client = createComputeClient({ threads: settings.state?.runtime?.threads ?? 0 });
  const store = createAppStore({
    compute: () => client.compute,
    restartCompute: (threads) => client.restart({ threads }),
    assets: createAssetFetcher(new URL(import.meta.env.BASE_URL, location.href).href),
    storage: localStorage,
  });
  (window as unknown as { glassbox?: unknown }).glassbox = store; // for the browser tests and the console
  // settings are written debounced: write what is pending before the page goes away
  addEventListener('pagehide', () => store.getState().flushSettings());
  document.addEventListener('visibilitychange', () => document.visibilityState === 'hidden' && store.getState().flushSettings());
  createRoot(document.getElementById('root')!).render(
    <StrictMode>
      <StoreContext.Provider value={store}>
        <App />
      </StoreContext.Provider>
    </StrictMode>,
  );
  await store.getState().init();
}

void boot();
