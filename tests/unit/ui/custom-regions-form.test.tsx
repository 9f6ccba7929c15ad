/** The segmentation group's custom-regions choice: a file button, and a note when no labels are loaded. */
import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { afterEach, describe, expect, it } from 'vitest';
import { createAppStore } from '../../../src/store/app-store';
import { setLoadedRegions } from '../../../src/store/custom-segments';
import type { SegmentationSpec } from '../../../src/engine/explain/segmentation';
import { ParamsForm } from '../../../src/ui/explain/ParamsForm';
import { SegmentationFields } from '../../../src/ui/explain/SegmentationFields';
import { StoreContext } from '../../../src/ui/store-context';

function storeContext(child: ReturnType<typeof createElement>): string {
  const data = new Map<string, string>();
  const storage = { getItem: (k: string) => data.get(k) ?? null, setItem: (k: string, v: string) => void data.set(k, v), removeItem: (k: string) => void data.delete(k) };
  const store = createAppStore({ compute: () => ({}) as never, assets: {} as never, storage });
  return renderToStaticMarkup(createElement(StoreContext.Provider, { value: store }, child));
}

/** A method's whole form (server-rendered: the store's initial settings), or the segmentation group ParamsForm draws for a given spec. */
function render(method: 'lime' | 'kernelshap', segmentation?: SegmentationSpec): string {
  if (!segmentation) return storeContext(createElement(ParamsForm, { method }));
  return storeContext(createElement(SegmentationFields, { value: segmentation, onChange: () => {} }));
}

afterEach(() => setLoadedRegions(undefined));

describe('custom regions in the parameter form', () => {
  it('the segmentation choice offers custom regions; other segmentations show no file button', () => {
    const html = render('lime');
    expect(html).toContain('<option value="custom">custom regions (your labels)</option>');
    expect(html).not.toContain('Choose label file');
  });

  it('custom without labels: a file button for .npy/.png and the "no labels loaded" note (naming a file chosen before a reload)', () => {
    for (const method of ['lime', 'kernelshap'] as const) {
      const html = render(method, { method: 'custom' });
      expect(html).toContain('Choose label file…');
      expect(html).toMatch(/type="file" accept="\.npy,\.png"/);
      expect(html).toContain('No labels loaded');
      expect(html).toContain('Run needs them');
      expect(html).not.toContain('aria-label="Segments"');
    }
    expect(render('lime', { method: 'custom', name: 'organs.png' })).toContain('No labels loaded (organs.png was chosen before; label files are not saved)');
  });

  it('with labels loaded: how many regions, from which file', () => {
    setLoadedRegions({ name: 'organs.npy', width: 2, height: 2, labels: Int32Array.from([0, 4, 4, 7]), regions: 3 });
    const html = render('lime', { method: 'custom', name: 'organs.npy' });
    expect(html).toContain('3 regions from organs.npy (2×2)');
    expect(html).not.toContain('No labels loaded');
    expect(html).toContain('Other label file…');
  });
});
