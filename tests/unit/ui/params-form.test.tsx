/** The parameter form is drawn from the descriptor: one field per parameter, the shared fields, nothing else. */
import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { descriptorOf, METHOD_IDS, type MethodId } from '../../../src/engine/explain/registry';
import { createAppStore } from '../../../src/store/app-store';
import { ParamsForm } from '../../../src/ui/explain/ParamsForm';
import { StoreContext } from '../../../src/ui/store-context';

function render(method: MethodId): string {
  const data = new Map<string, string>();
  const storage = { getItem: (k: string) => data.get(k) ?? null, setItem: (k: string, v: string) => void data.set(k, v), removeItem: (k: string) => void data.delete(k) };
  const store = createAppStore({ compute: () => ({}) as never, assets: {} as never, storage });
  return renderToStaticMarkup(createElement(StoreContext.Provider, { value: store }, createElement(ParamsForm, { method })));
}

const labels = (html: string) => [...html.matchAll(/aria-label="([^"]+)"/g)].map((m) => m[1]);

describe('ParamsForm', () => {
  it('every method: a field per descriptor parameter (shared groups by their own fields), top labels, and the seed only when seeded', () => {
    for (const id of METHOD_IDS) {
      const meta = descriptorOf(id);
      const html = render(id);
      const got = labels(html);
      for (const p of meta.params) {
        const expected = p.kind === 'score-space' ? 'Score space' : p.kind === 'layer' ? 'Target layer' : p.kind === 'int-or-auto' || p.kind === 'number-or-auto' ? `Auto ${p.label.toLowerCase()}` : p.label;
        expect(got, `${id}: ${p.name}`).toContain(expected);
      }
      expect(got, id).toContain('Top labels');
      expect(got.includes('Seed'), `${id} seed`).toBe(meta.seeded);
    }
  });

  it('the segmentation group shows its defaults from the shared field group (50 SLIC segments), not the engine SLIC defaults', () => {
    const html = render('lime');
    expect(html).toMatch(/aria-label="Segments"[^>]*value="50"/);
    expect(html).toMatch(/aria-label="Smoothing σ"[^>]*value="1"/);
  });

  it('a hide field offers only the modes the method allows', () => {
    const rise = render('rise');
    expect(rise).toContain('zero tensor');
    expect(rise).not.toContain('superpixel mean colour');
    expect(render('lime')).toContain('superpixel mean colour');
  });
});
