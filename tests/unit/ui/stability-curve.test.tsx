/**
 * An anytime run's stability curve says in words what it draws, and the result view offers what comes next: to
 * continue the run (to its budget, or with more samples), the rows a continued run reused, and the
 * deletion/insertion curves of a result that has none.
 */
import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import type { AnytimeRecord } from '../../../src/engine/explain/anytime';
import { defaultPreprocess } from '../../../src/engine/image/preprocess';
import type { Explanation } from '../../../src/engine/explain/types';
import { createAppStore } from '../../../src/store/app-store';
import { ExplanationView } from '../../../src/ui/explain/ExplanationView';
import { StabilityCurve, curvePoints, stabilityCurveText } from '../../../src/ui/explain/StabilityCurve';
import { StoreContext } from '../../../src/ui/store-context';

const stopped: AnytimeRecord = { target: 0.95, curve: [{ samples: 100, agreement: 0.71 }, { samples: 700, agreement: 0.93 }, { samples: 1344, agreement: 0.96 }], stoppedAt: 1344 };

describe('stability curve', () => {
  it('states the curve in words: where the agreement started and ended, where it stopped and the target', () => {
    expect(stabilityCurveText(stopped, 1344)).toBe('Predicted agreement rose from 0.71 at 100 samples to 0.96 at 1344; stopped at 1344 (target 0.95)');
    const unsettled = { target: 0.95, curve: [{ samples: 100, agreement: 0.8 }, { samples: 400, agreement: 0.75 }] };
    expect(stabilityCurveText(unsettled, 400)).toBe('Predicted agreement fell from 0.80 at 100 samples to 0.75 at 400; not stable within the budget of 400 samples (target 0.95)');
  });

  it('places each check by its samples (left to right) and agreement (higher is up), inside the plot', () => {
    const points = curvePoints(stopped, 3000);
    expect(points).toHaveLength(3);
    expect(points[0].x).toBeLessThan(points[1].x);
    expect(points[1].x).toBeLessThan(points[2].x);
    expect(points[0].y).toBeGreaterThan(points[2].y); // 0.71 below 0.96
    for (const p of points) expect(p.x >= 0 && p.x <= 200 && p.y >= 0 && p.y <= 70).toBe(true);
    // an agreement below 0.5 widens the axis rather than leaving the plot
    const low = curvePoints({ target: 0.9, curve: [{ samples: 100, agreement: 0.2 }] }, 100);
    expect(low[0].y).toBeLessThanOrEqual(70 - 20);
  });

  it('renders an SVG with its words as aria-label and title, the dashed target, the stop marker and the axis labels', () => {
    const html = renderToStaticMarkup(createElement(StabilityCurve, { record: stopped, samples: 1344 }));
    expect(html).toContain('data-testid="stability-curve"');
    expect(html).toContain('role="img"');
    expect(html).toContain(`aria-label="${stabilityCurveText(stopped, 1344)}"`);
    expect(html).toContain(`<title>${stabilityCurveText(stopped, 1344)}</title>`);
    expect(html).toContain('data-testid="stability-target"');
    expect(html).toContain('data-testid="stability-stop"');
    expect(html).toContain('>samples<');
    expect(html).toContain('>predicted ρ<');
    expect(renderToStaticMarkup(createElement(StabilityCurve, { record: { ...stopped, stoppedAt: undefined }, samples: 3000 }))).not.toContain('stability-stop');
  });

  it('counts in its own unit out of its budget: RISE’s masks, and a stopped run’s checks on an axis to the budget', () => {
    const rise: AnytimeRecord = { target: 0.9, curve: [{ samples: 256, agreement: 0.6 }, { samples: 512, agreement: 0.7 }], budget: 2000, unit: 'masks' };
    expect(stabilityCurveText(rise, 2001)).toBe('Predicted agreement rose from 0.60 at 256 masks to 0.70 at 512; not stable within the budget of 2000 masks (target 0.9)');
    expect(renderToStaticMarkup(createElement(StabilityCurve, { record: rise, samples: 2001 }))).toContain('>masks<');
    // stopped at 1344 of 3000: its last check sits at 1344 / 3000 of the axis, not at its right end
    const early = curvePoints({ ...stopped, budget: 3000 }, 1344);
    expect(early[2].x).toBeCloseTo(30 + (1344 / 3000) * (192 - 30), 6);
  });

  it('a run continued past its stop: the longer curve, the marker at the earlier stop, and both in words', () => {
    const continued: AnytimeRecord = { target: 0.95, curve: [...stopped.curve, { samples: 2000, agreement: 0.97 }, { samples: 2900, agreement: 0.98 }], continuedFrom: 1344 };
    expect(stabilityCurveText(continued, 3000)).toBe('Predicted agreement rose from 0.71 at 100 samples to 0.98 at 2900; stopped at 1344, then continued to 3000 (target 0.95)');
    const html = renderToStaticMarkup(createElement(StabilityCurve, { record: continued, samples: 3000 }));
    const stop = /<circle class="stop" cx="([\d.]+)" cy="([\d.]+)"/.exec(html);
    const at1344 = curvePoints(continued, 3000)[2];
    expect(stop && [Number(stop[1]), Number(stop[2])]).toEqual([at1344.x, at1344.y]);
  });
});

function render(patch: Partial<Explanation>, run = false): string {
  const store = createAppStore({ compute: () => ({}) as never, assets: {} as never, storage: { getItem: () => null, setItem: () => undefined, removeItem: () => undefined } });
  const n = 4;
  const result = {
    kind: 'superpixel-weights', method: 'lime', target: 0, width: 2, height: 2, map: [0, 1, 0, 0], segments: [0, 1, 0, 1], segmentCount: 2, weights: [0.1, -0.2], signed: true,
    classes: [{ target: 0, map: [0, 1, 0, 0], weights: [0.1, -0.2], score: 0.9, intercept: 0.1 }], params: { samples: 3000, stableAt: 0.9 }, seed: 0, scoreSpace: 'probability',
    timings: { totalMs: 1, inferenceMs: 1, modelCalls: 1, samples: 1344, batchSize: 32 }, ...patch,
  } as Explanation;
  store.setState({
    explanation: { id: 1, result, inputs: { modelSha256: 'm', imageSha256: 'i', preprocess: defaultPreprocess(2, 2) }, modelName: 'm', imageName: 'i', labels: ['star'], scores: [0.9], baseImage: { width: 2, height: 2, data: new Uint8ClampedArray(4 * n) }, createdAt: 0 },
    ...(run ? { run: { jobId: 'job-1', kind: 'curves', method: 'lime', startedAt: 0 } } : {}),
  });
  return renderToStaticMarkup(createElement(StoreContext.Provider, { value: { ...store, getInitialState: store.getState } }, createElement(ExplanationView)));
}

describe('result view: what comes after an anytime run', () => {
  it('a stopped run shows its curve and "Continue to 3000 samples"; one not stable offers 4× the samples', () => {
    const html = render({ stability: { splitHalf: 0.9, anytime: stopped } });
    expect(html).toContain('data-testid="stability-curve"');
    expect(html).toMatch(/data-testid="anytime-continue"[^>]*>Continue to 3000 samples</);
    const more = render({ stability: { splitHalf: 0.8, anytime: { target: 0.95, curve: [{ samples: 3000, agreement: 0.9 }] } } });
    expect(more).toContain('>Continue with 4× the samples<');
  });

  it('a run continued to its budget keeps its curve, says where it had stopped, and offers nothing more', () => {
    const anytime: AnytimeRecord = { target: 0.9, curve: [...stopped.curve, { samples: 2900, agreement: 0.98 }], continuedFrom: 1344 };
    const html = render({ stability: { splitHalf: 0.95, anytime }, timings: { totalMs: 1, inferenceMs: 1, modelCalls: 1, samples: 3000, batchSize: 32, reusedRows: 1344 } });
    expect(html).toContain('data-testid="stability-curve"');
    expect(html).toContain('data-testid="stability-stop"');
    expect(html).not.toContain('anytime-continue');
    expect(html).toMatch(/data-testid="anytime-summary"> · stable after 1344 samples, continued to 3000: predicted agreement with any larger budget ρ 0\.980</);
  });

  it('no curve and no button without an anytime record; the rows a run reused are counted in its timings', () => {
    const plain = render({});
    expect(plain).not.toContain('stability-curve');
    expect(plain).not.toContain('anytime-continue');
    expect(plain).not.toContain('reused-rows');
    expect(render({ timings: { totalMs: 1, inferenceMs: 1, modelCalls: 1, samples: 3000, batchSize: 32, reusedRows: 1344 } })).toMatch(/data-testid="reused-rows"> · 1344 reused from earlier runs</);
  });

  it('a result without curves offers to compute them, unless a run is going; one with curves shows them', () => {
    expect(render({})).toContain('data-testid="compute-curves"');
    expect(render({}, true)).not.toContain('compute-curves');
    const curve = { x: [0, 1], y: [1, 0], auc: 0.5 };
    const withCurves = render({ metrics: { deletion: curve, insertion: curve, target: 0, steps: 1, timings: { totalMs: 1, modelCalls: 1 } } as unknown as Explanation['metrics'] });
    expect(withCurves).not.toContain('compute-curves');
    expect(withCurves).toContain('faithfulness-curves');
  });
});
