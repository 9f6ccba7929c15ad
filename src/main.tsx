import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { createAppStore } from './store/app-store';
import { createAssetFetcher } from './store/demo';
import { indexedDbHistory } from './store/history-db';
import { needsIsolationReload, registerOfflineCache, reloadIsolated } from './offline';
import { App } from './ui/App';
import { StoreContext } from './ui/store-context';
import { createComputeClient, type ComputeClient } from './worker-client';
import './ui/styles.css';

async function boot() {
  const settings = JSON.parse(localStorage.getItem('glassbox.settings') ?? '{}') as { state?: { runtime?: { threads?: number } } };
  const threads = settings.state?.runtime?.threads ?? 0;
  // A first visit on a host without isolation headers reloads once (see offline.ts): start nothing heavy before.
  const isolating = needsIsolationReload();
  // Otherwise the compute worker starts first, so onnxruntime loads while the page renders.
  let client: ComputeClient | undefined = isolating ? undefined : createComputeClient({ threads });
  const compute = () => (client ??= createComputeClient({ threads }));
  const store = createAppStore({
    compute: () => compute().compute,
    restartCompute: (n) => compute().restart({ threads: n }),
    assets: createAssetFetcher(new URL(import.meta.env.BASE_URL, location.href).href),
    storage: localStorage,
    // finished results survive reloads and going offline; where IndexedDB is blocked they stay in memory
    historyStore: indexedDbHistory(),
  });
  (window as unknown as { glassbox?: unknown }).glassbox = store; // for the browser tests and the console
  // settings are written debounced: write what is pending before the page goes away
  addEventListener('pagehide', () => store.getState().flushSettings());
  document.addEventListener('visibilitychange', () => document.visibilityState === 'hidden' && store.getState().flushSettings());
  // the page as served says it is loading (index.html); on a first visit that reloads, nothing renders before
  if (isolating) await reloadIsolated(); // returns only when no reload happens
  createRoot(document.getElementById('root')!).render(
    <StrictMode>
      <StoreContext.Provider value={store}>
        <App />
      </StoreContext.Provider>
    </StrictMode>,
  );
  await store.getState().init();
  // The offline cache downloads everything the app may need: only once the first prediction is on screen.
  registerOfflineCache();
}

void boot();
