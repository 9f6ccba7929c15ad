/** The Run button says what the run will cost before the click, and a long run says so. */
import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { defaultPreprocess } from '../../../src/engine/image/preprocess';
import type { ClassifierSpec } from '../../../src/engine/runtime/classifier-spec';
import { createAppStore, type AppState } from '../../../src/store/app-store';
import { ExplainPanel } from '../../../src/ui/explain/ExplainPanel';
import { StoreContext } from '../../../src/ui/store-context';

function render(patch: Partial<AppState>): string {
  return renderWith(() => undefined, patch);
}

function renderWith(prepare: (store: ReturnType<typeof createAppStore>) => void, patch: Partial<AppState>): string {
  const data = new Map<string, string>();
  const storage = { getItem: (k: string) => data.get(k) ?? null, setItem: (k: string, v: string) => void data.set(k, v), removeItem: (k: string) => void data.delete(k) };
  const store = createAppStore({ compute: () => ({}) as never, assets: {} as never, storage });
  const spec = { dynamicBatch: true } as ClassifierSpec;
  store.setState({ model: { name: 'm.onnx', fingerprint: 'fp', backend: 'wasm', spec } as AppState['model'], preprocess: defaultPreprocess(96, 96), ...patch });
  prepare(store);
  return renderToStaticMarkup(createElement(StoreContext.Provider, { value: { ...store, getInitialState: store.getState } }, createElement(ExplainPanel)));
}

describe('ExplainPanel cost', () => {
  it('LIME at 1000 samples, batch 32: ≤ 32 model calls (it stops once stable); with a measured 2 ms per image about 2 s (curves included)', () => {
    const html = render({ rowMs: { 'fp:wasm': 2 } });
    // 1000 rows and the curves' 127 (2 × 31 steps of the map, 2 × 31 of the random order, 3 end points)
    expect(html).toMatch(/Run LIME · ≤ 32 model calls · ~2\.25 s/);
    expect(html).toMatch(/title="Run LIME · ≤ 32 model calls · ~2\.25 s: the budget is the most it will cost/);
    expect(html).not.toContain('data-testid="long-run"');
  });

  it('a run estimated over 30 s says so before it starts; "up to" when it stops once stable', () => {
    const html = render({ rowMs: { 'fp:wasm': 50 } });
    expect(html).toMatch(/data-testid="long-run"[^>]*>This run may take up to about 56\.35 s \(32 model calls; it stops sooner once its map is stable\)/);
  });

  it('with Stop when stable at 0 the budget is what it costs: no "up to"', () => {
    const html = renderWith((store) => store.getState().setMethodParams('lime', { stableAt: 0 }), { rowMs: { 'fp:wasm': 50 } });
    expect(html).toMatch(/Run LIME · 32 model calls · ~56\.35 s/);
    expect(html).toMatch(/data-testid="long-run"[^>]*>This run will take about 56\.35 s \(32 model calls\)/);
  });

  it('without any measurement it still shows the model calls; while the engine restarts Run waits', () => {
    expect(render({})).toMatch(/Run LIME · ≤ 32 model calls</);
    expect(render({ engine: 'restarting' })).toMatch(/disabled[^>]*>Restarting the engine…/);
  });
});
