/**
 * SLIC and Felzenszwalb against scikit-image: reference segmentations made by tools/make_slic_fixtures.py
 * (skimage.segmentation.slic and felzenszwalb on three of scikit-image's sample photos cropped to 224×224 and
 * two demo images, several parameter sets each).
 */
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { decodeImageFile } from '../../../src/cli/decode-image';
import { felzenszwalb } from '../../../src/engine/segment/felzenszwalb';
import { quickshift } from '../../../src/engine/segment/quickshift';
import { slic } from '../../../src/engine/segment/slic';
import { boundaryPixels, boundaryRecall, componentsPerLabel } from '../../helpers/segment-compare';

const DIR = path.resolve(__dirname, '../../fixtures/segment');

interface Case {
  method: 'slic' | 'felzenszwalb' | 'quickshift';
  image: string;
  labels: string;
  natural: boolean;
  width: number;
  height: number;
  params: { n_segments: number; compactness: number; sigma: number; scale: number; min_size: number; kernel_size: number; max_dist: number; ratio: number };
  count: number;
}

const index: { cases: Case[] } = JSON.parse(fs.readFileSync(path.join(DIR, 'index.json'), 'utf8'));
const slicCases = index.cases.filter((c) => c.method === 'slic');

function readReference(c: Case): Uint16Array {
  const bytes = zlib.gunzipSync(fs.readFileSync(path.join(DIR, c.labels)));
  return new Uint16Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 2);
}

describe('SLIC agrees with scikit-image', () => {
  const results: { natural: boolean; recall: number; precision: number }[] = [];

  it.each(slicCases.map((c) => [c.labels, c] as const))('%s', async (_name, c) => {
    const image = await decodeImageFile(new Uint8Array(fs.readFileSync(path.join(DIR, c.image))));
    expect([image.width, image.height]).toEqual([c.width, c.height]);
    const seg = slic(image, { nSegments: c.params.n_segments, compactness: c.params.compactness, sigma: c.params.sigma });
    const reference = readReference(c);
    expect(reference.length).toBe(c.width * c.height);

    // similar number of segments for the same parameters
    expect(seg.count).toBeGreaterThanOrEqual(Math.floor(c.count * 0.75));
    expect(seg.count).toBeLessThanOrEqual(Math.ceil(c.count * 1.25));
    // every segment one connected piece, labels 0..count−1
    expect(componentsPerLabel(seg).every((n) => n === 1)).toBe(true);

    // boundaries agree both ways within 2 pixels
    const ours = boundaryPixels(seg.labels, c.width, c.height);
    const theirs = boundaryPixels(reference, c.width, c.height);
    const recall = boundaryRecall(theirs, ours, c.width, c.height);
    const precision = boundaryRecall(ours, theirs, c.width, c.height);
    results.push({ natural: c.natural, recall, precision });
    const floor = c.natural ? 0.75 : 0.9;
    expect(recall).toBeGreaterThan(floor);
    expect(precision).toBeGreaterThan(floor);
  });

  it('on the natural photos, boundary agreement averages above 0.8 both ways', () => {
    const natural = results.filter((r) => r.natural);
    expect(natural.length).toBe(slicCases.filter((c) => c.natural).length);
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    expect(mean(natural.map((r) => r.recall))).toBeGreaterThan(0.8);
    expect(mean(natural.map((r) => r.precision))).toBeGreaterThan(0.8);
  });

  it('a segmentation of another photo does not pass the same checks (the measure discriminates)', async () => {
    const [a, b] = slicCases.filter((c) => c.natural && c.params.n_segments === 100);
    const image = await decodeImageFile(new Uint8Array(fs.readFileSync(path.join(DIR, b.image))));
    const seg = slic(image, { nSegments: 100 });
    const wrong = boundaryRecall(boundaryPixels(readReference(a), a.width, a.height), boundaryPixels(seg.labels, a.width, a.height), a.width, a.height);
    expect(wrong).toBeLessThan(0.7);
  });
});

describe('Felzenszwalb equals scikit-image', () => {
  const cases = index.cases.filter((c) => c.method === 'felzenszwalb');

  it.each(cases.map((c) => [c.labels, c] as const))('%s', async (_name, c) => {
    const image = await decodeImageFile(new Uint8Array(fs.readFileSync(path.join(DIR, c.image))));
    const seg = felzenszwalb(image, { scale: c.params.scale, sigma: c.params.sigma, minSize: c.params.min_size });
    const reference = readReference(c);
    expect(seg.count).toBe(c.count);
    // Same algorithm, same edge order and the same raster-order labelling: the labels match pixel for pixel
    // (up to a few pixels where float rounding could order two equal-weight edges differently).
    let same = 0;
    for (let i = 0; i < reference.length; i++) if (reference[i] === seg.labels[i]) same++;
    expect(same / reference.length).toBeGreaterThan(0.999);
  });

  it('larger scale gives fewer, larger regions, and no region is under min_size', async () => {
    const c = cases.find((x) => x.natural)!;
    const image = await decodeImageFile(new Uint8Array(fs.readFileSync(path.join(DIR, c.image))));
    const fine = felzenszwalb(image, { scale: 50, sigma: 0.8, minSize: 30 });
    const coarse = felzenszwalb(image, { scale: 500, sigma: 0.8, minSize: 30 });
    expect(coarse.count).toBeLessThan(fine.count / 2);
    const sizes = new Array(fine.count).fill(0);
    for (const l of fine.labels) sizes[l]++;
    expect(Math.min(...sizes)).toBeGreaterThanOrEqual(30);
  });
});

describe('quickshift agrees with scikit-image (lime\'s default segmentation)', () => {
  const cases = index.cases.filter((c) => c.method === 'quickshift');

  it.each(cases.map((c) => [c.labels, c] as const))('%s', async (_name, c) => {
    const image = await decodeImageFile(new Uint8Array(fs.readFileSync(path.join(DIR, c.image))));
    const seg = quickshift(image, { kernelSize: c.params.kernel_size, maxDist: c.params.max_dist, ratio: c.params.ratio });
    const reference = readReference(c);
    // the same algorithm; only the tie-breaking noise comes from another generator
    expect(Math.abs(seg.count - c.count)).toBeLessThanOrEqual(Math.max(1, Math.round(0.02 * c.count)));
    const ours = boundaryPixels(seg.labels, c.width, c.height);
    const theirs = boundaryPixels(reference, c.width, c.height);
    expect(boundaryRecall(theirs, ours, c.width, c.height, 1)).toBeGreaterThan(0.98);
    expect(boundaryRecall(ours, theirs, c.width, c.height, 1)).toBeGreaterThan(0.98);
  });
});
