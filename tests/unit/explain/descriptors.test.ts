/** The descriptors are the one description of each method: check they are complete and that the schema tools honour them. */
import { describe, expect, it } from 'vitest';
import { METHOD_GROUPS } from '../../../src/engine/explain/descriptor';
import { descriptorOf, loadExplainer, METHOD_IDS, METHODS } from '../../../src/engine/explain/registry';
import { defaultsOf, sanitizeParams, validateParams } from '../../../src/engine/explain/schema';

describe('method descriptors', () => {
  it('each registry key is its descriptor’s id; each has a label, reference, group, reading and documented parameters', () => {
    for (const id of METHOD_IDS) {
      const m = descriptorOf(id);
      expect(m.id).toBe(id);
      expect(m.label.length, id).toBeGreaterThan(1);
      expect(m.reference, id).toMatch(/\d{4}/);
      expect(METHOD_GROUPS).toContain(m.group);
      expect(m.howToRead.length, id).toBeGreaterThan(40);
      const flags = new Set<string>();
      for (const p of m.params) {
        expect(p.help.length, `${id}.${p.name}`).toBeGreaterThan(5);
        expect(flags.has(p.cli), `${id} --${p.cli} twice`).toBe(false);
        flags.add(p.cli);
      }
    }
  });

  it('defaults pass their own validation, on a small and a large input', () => {
    for (const id of METHOD_IDS) {
      const m = descriptorOf(id);
      expect(() => validateParams(m, defaultsOf(m), { width: 32, height: 32 }), id).not.toThrow();
      expect(() => validateParams(m, defaultsOf(m), { width: 1024, height: 768 }), id).not.toThrow();
    }
  });

  it('every whole-number and number field refuses a value below its minimum and above its maximum, naming the field', () => {
    for (const id of METHOD_IDS) {
      const m = descriptorOf(id);
      for (const p of m.params) {
        if (p.kind !== 'int' && p.kind !== 'number') continue;
        for (const v of [p.min - 1, p.max + 1, Number.NaN]) {
          expect(() => validateParams(m, { ...defaultsOf(m), [p.name]: v } as never), `${id}.${p.name} = ${v}`).toThrow(new RegExp(p.label.toLowerCase() === p.name.toLowerCase() ? `: ${p.name} ` : `\\(${p.name}\\)`));
        }
        if (p.kind === 'int') expect(() => validateParams(m, { ...defaultsOf(m), [p.name]: p.min + 0.5 } as never)).toThrow(/whole number/);
      }
    }
  });

  it('stored parameters are sanitised field by field: valid values kept, invalid and unknown ones dropped', () => {
    const lime = descriptorOf('lime');
    const stored = { samples: 333, kernelWidth: -1, bogus: 1, hide: { mode: 'nonsense' }, segmentation: { method: 'grid', nSegments: 12 } };
    const p = sanitizeParams(lime, stored);
    expect(p.samples).toBe(333);
    expect(p.kernelWidth).toBe(defaultsOf(lime).kernelWidth);
    expect(p.hide).toEqual(defaultsOf(lime).hide);
    expect(p.segmentation).toEqual({ method: 'grid', nSegments: 12 });
    expect('bogus' in p).toBe(false);
  });

  it('every registered method loads an explainer', async () => {
    for (const id of Object.keys(METHODS) as (keyof typeof METHODS)[]) expect(typeof (await loadExplainer(id)).explain, id).toBe('function');
  });
});
