import { describe, expect, it } from 'vitest';
import { GlassboxError } from '../../../src/engine/errors';
import { buildReport, flattenParams, parseReport, REPORT_CSP, reportInputImages } from '../../../src/engine/export/report';
import { explanationOf, serializeResultFile, type ResultContext } from '../../../src/engine/export/result-json';
import type { Explanation } from '../../../src/engine/explain/types';
import type { PreprocessConfig } from '../../../src/engine/image/preprocess';

const HASH_M = '0123456789abcdef'.repeat(4), HASH_I = 'fedcba9876543210'.repeat(4);
const HOSTILE = '</script><img src=x onerror=alert(1)>';
const preprocess: PreprocessConfig = { width: 2, height: 2, resize: 'crop', cropFraction: 0.875, range: 1, mean: [0, 0, 0], std: [1, 1, 1], channelOrder: 'RGB', layout: 'NCHW', channels: 3 };
const timings = { totalMs: 1234.4, inferenceMs: 1, modelCalls: 17, samples: 4, batchSize: 4 };
const curve = (auc: number) => ({ x: [0, 0.5, 1], y: [0.9, 0.5, 0.1], auc });
const metrics = { deletion: curve(0.2222), insertion: curve(0.7777), random: { deletion: curve(0.4444), insertion: curve(0.5556) }, target: 1, steps: 2, timings: { totalMs: 1, modelCalls: 6 } };
const common = { target: 1, targetLabel: `cat ${HOSTILE}`, width: 2, height: 2, signed: true, scoreSpace: 'probability' as const, seed: 7, timings, provenance: { modelSha256: HASH_M, imageSha256: HASH_I, preprocess } };
const lime: Explanation = {
  ...common, kind: 'superpixel-weights', method: 'lime', map: [0.5, 0.5, -0.25, NaN], classes: [{ target: 1, map: [0.5, 0.5, -0.25, NaN], weights: [0.5, -0.25, NaN] }],
  params: { samples: 4, segmentation: { method: 'slic', nSegments: 3 } }, segments: [0, 0, 1, 2], segmentCount: 3, weights: [0.5, -0.25, NaN], units: `probability ${HOSTILE}`, metrics,
  quality: [{ id: 'poor-fit', level: 'warning', message: `The surrogate fits poorly ${HOSTILE}`, value: 0.1, threshold: 0.3 }],
};
const cam: Explanation = {
  ...common, kind: 'cam', method: 'gradcam', signed: false, scoreSpace: 'raw', map: [0, 1, 2, 3], classes: [{ target: 1, map: [0, 1, 2, 3] }], params: { layer: 'conv/Relu' },
  normalisedMap: [0, 1 / 3, 2 / 3, 1], layer: 'conv/Relu', cam: [3], camWidth: 1, camHeight: 1, quality: [],
};
const context: ResultContext = {
  glassbox: '0.1.0', backend: 'wasm', threads: 1, image: { name: `star ${HOSTILE}.png`, sha256: HASH_I },
  model: { name: `m ${HOSTILE}.onnx`, sha256: HASH_M, inputs: [{ name: 'x', shape: ['batch', 3, 2, 2], dtype: 'float32' }], outputs: [{ name: 'y', shape: ['batch', 4], dtype: 'float32' }] },
};
// a 1×1 PNG
const PNG = 'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==';
const runs = [lime, cam].map((e) => ({ resultJson: serializeResultFile(e, context), figurePng: PNG }));
const meta = { title: `Report ${HOSTILE}`, generatedAt: '2026-01-01T00:00:00Z', glassbox: '0.1.0' };

/** The page with its data: URLs' payloads removed: what could make a browser load anything. */
const withoutData = (html: string) => html.replace(/data:image\/png;base64,[A-Za-z0-9+/=]+/g, 'data:');

describe('HTML report', () => {
  it('round-trips: parseReport gives back the result files, maps and parameters included', () => {
    const html = buildReport(runs, meta);
    const back = parseReport(html);
    expect(back).toHaveLength(2);
    expect(explanationOf(back[0])).toEqual(lime);
    expect(explanationOf(back[1])).toEqual(cam);
    expect(back[0].params).toEqual(lime.params);
    expect(back[0].model.name).toBe(context.model.name);
  });

  it('is self-contained: a CSP that forbids loading, no executing script, no external reference', () => {
    const html = buildReport(runs, meta);
    expect(html).toContain(`<meta http-equiv="Content-Security-Policy" content="${REPORT_CSP}">`);
    expect(REPORT_CSP).toBe("default-src 'none'; img-src data:; style-src 'unsafe-inline'");
    const scripts = html.match(/<script\b[^>]*>/g) ?? [];
    expect(scripts).toEqual(['<script type="application/json" id="glassbox-results">']);
    const withInputs = buildReport(runs.map((r) => ({ ...r, inputPng: PNG })), meta);
    expect(withInputs.match(/<script\b[^>]*>/g)).toEqual(['<script type="application/json" id="glassbox-results">', '<script type="application/json" id="glassbox-inputs">']);
    const page = withoutData(html);
    expect(page).not.toMatch(/https?:/i);
    expect(page).not.toMatch(/src="\/\//);
    expect(page).not.toMatch(/\burl\(/);
    expect(page).not.toMatch(/<link\b|@import|srcset/i);
    for (const src of page.match(/\ssrc="[^"]*"/g) ?? []) expect(src).toBe(' src="data:"');
    expect(html.match(/<img src="data:image\/png;base64,/g)).toHaveLength(2);
  });

  it('escapes hostile labels, names and messages everywhere', () => {
    const html = buildReport(runs, meta);
    expect(html).not.toContain('<img src=x');
    expect(html).not.toContain('</script><');
    expect(html.match(/<\/script>/g)).toHaveLength(1);
    expect(html).toContain('&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;');
    // the JSON block keeps the text, with "<" escaped
    expect(html).toContain('\\u003c/script\\u003e\\u003cimg src=x onerror=alert(1)\\u003e');
    expect(parseReport(html)[0].targetLabel).toBe(`cat ${HOSTILE}`);
  });

  it('has a summary row per run and each run’s details, curves and weights chart', () => {
    const html = buildReport(runs, meta);
    const summary = /<table class="summary"[\s\S]*?<\/table>/.exec(html)![0];
    expect(summary.match(/<tr>/g)).toHaveLength(3);
    expect(summary).toContain('LIME (lime)');
    expect(summary).toContain('Grad-CAM (gradcam)');
    expect(summary).toContain('0.222 (random 0.444)');
    expect(summary).toContain('0.778 (random 0.556)');
    const [limeRun, camRun] = html.split('<section class="run"').slice(1);
    for (const text of ['0123456789ab', 'fedcba987654', 'samples=4', 'segmentation.method=slic', 'segmentation.nSegments=3', '<td>7</td>', '1234 ms', '<td>17</td>', 'warning: The surrogate fits poorly']) {
      expect(limeRun).toContain(text);
    }
    expect(limeRun).toContain('fraction of pixels deleted');
    expect(limeRun).toContain('Weight per superpixel');
    expect(limeRun).toMatch(/<svg width=/);
    expect(camRun).not.toContain('fraction of pixels deleted');
    expect(camRun).not.toContain('Weight per superpixel');
    expect(camRun).toContain('layer=conv/Relu');
    expect(flattenParams({ a: 1, b: { c: 'x', d: [1, 2] } })).toEqual(['a=1', 'b.c=x', 'b.d=1,2']);
  });

  it('carries each run’s model-input picture for re-opening, when given', () => {
    const html = buildReport([{ ...runs[0], inputPng: PNG }, runs[1]], meta);
    expect(reportInputImages(html)).toEqual([PNG, undefined]);
    expect(parseReport(html)).toHaveLength(2);
    expect(reportInputImages(buildReport(runs, meta))).toEqual([undefined, undefined]);
    expect(() => buildReport([{ ...runs[0], inputPng: 'https://example.com/x.png' }], meta)).toThrow(/input picture must be a data:image\/png;base64/);
  });

  it('refuses a figure that is not a PNG data URL, and HTML without a results block', () => {
    expect(() => buildReport([{ ...runs[0], figurePng: 'https://example.com/x.png' }], meta)).toThrow(/data:image\/png;base64/);
    expect(() => buildReport([{ ...runs[0], resultJson: '{}' }], meta)).toThrow(/Run 1 of the report/);
    try {
      parseReport('<!DOCTYPE html><html><body>hello</body></html>');
      throw new Error('not refused');
    } catch (e) {
      expect(e).toBeInstanceOf(GlassboxError);
      expect((e as GlassboxError).code).toBe('PARAM_INVALID');
      expect((e as GlassboxError).message).toMatch(/no Glassbox results/);
    }
  });
});
