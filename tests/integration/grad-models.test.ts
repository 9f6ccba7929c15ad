/**
 * Whole-model gradients against PyTorch autograd: four small torchvision-style nets exported by
 * tools/make_grad_fixtures.py with their input gradients and target-layer gradients (tests/fixtures/grad/).
 */
import fs from 'node:fs';
import path from 'node:path';
import { autogradSeed, expectAutogradMatch } from '../helpers/compare';
import { f32 } from '../helpers/method-fixtures';
import { describe, expect, it } from 'vitest';
import { createGradientSource } from '../../src/engine/grad/gradient-model';
import { runtime } from '../helpers/grad-check';

const DIR = path.resolve(import.meta.dirname, '../fixtures/grad');

describe('gradients equal PyTorch autograd on exported models', () => {
  it.each(['resnetish', 'mobilenetish', 'vggish', 'vitish'])('%s: logits, layer activation, layer gradient and input gradient', async (name) => {
    const ref = JSON.parse(fs.readFileSync(path.join(DIR, `${name}.json`), 'utf8'));
    const source = createGradientSource(runtime, new Uint8Array(fs.readFileSync(path.join(DIR, ref.model))), 'wasm');
    const model = await source.gradients({ layer: 'feat', input: true });
    expectAutogradMatch(await model.run(f32(ref.input), ref.input_shape, autogradSeed(ref, model.classes)), ref);
    await source.dispose();
  });
});

describe('target layers', () => {
  it('a ViT: token sequences [N, 1+h·w, C] are candidates reshaped to h×w, and the suggestion is the last block’s norm1', async () => {
    const source = createGradientSource(runtime, new Uint8Array(fs.readFileSync(path.join(DIR, 'vitish.onnx'))), 'wasm');
    const catalog = await source.catalog();
    const feat = catalog.candidates.find((c) => c.name === 'feat')!;
    expect(feat).toMatchObject({ layout: 'tokens-cls', gridHeight: 8, gridWidth: 8, channels: 16, opType: 'LayerNormalization' });
    expect(catalog.suggested).toBe('feat');
    // the patch embedding (a spatial map) is listed too, but not suggested for a transformer
    expect(catalog.candidates.some((c) => c.layout === 'spatial')).toBe(true);
    await source.dispose();
  });

  it('a CNN: every spatial map is a candidate and the suggestion is the last one before global pooling', async () => {
    const source = createGradientSource(runtime, new Uint8Array(fs.readFileSync(path.join(DIR, 'resnetish.onnx'))), 'wasm');
    const catalog = await source.catalog();
    expect(catalog.suggested).toBe('feat');
    expect(catalog.reason).toMatch(/before GlobalAveragePool/);
    expect(catalog.candidates.length).toBeGreaterThan(5);
    expect(catalog.candidates.every((c) => c.layout === 'spatial' && c.shape[0] === 'N')).toBe(true);
    await source.dispose();
  });
});
