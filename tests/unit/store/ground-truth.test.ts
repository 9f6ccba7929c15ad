/** The ground truth of the image on screen: files, drawn shapes, refusals, and binding to its image. */
import { describe, expect, it } from 'vitest';
import type { Mask } from '../../../src/engine/metrics/mask';
import { memoryHistory } from '../../../src/store/history-db';
import { alignedGroundTruth } from '../../../src/store/slices/ground-truth';
import type { DecodedMask } from '../../../src/worker-api';
import { page, SIDE } from '../../helpers/store-fakes';

const mask = (width: number, height: number, on: (x: number, y: number) => boolean): Mask => ({ width, height, data: Uint8Array.from({ length: width * height }, (_, i) => (on(i % width, Math.floor(i / width)) ? 1 : 0)) });
const decoded = (m: Mask): DecodedMask => ({ mask: m, colours: [], voidPixels: 0 });

describe('ground truth', () => {
  it('a box drawn on the image becomes its mask, aligned to the model input with the image’s preprocessing', async () => {
    const store = await page(memoryHistory());
    const image = store.getState().image!; // the fake decodes a 2×2 image
    store.getState().setMaskShape({ kind: 'box', box: { x: 0, y: 0, width: 1, height: 2 } }); // the left column
    const gt = store.getState().groundTruth!;
    expect(gt).toMatchObject({ imageSha256: image.sha256, source: 'box', fraction: 0.5 });
    const aligned = alignedGroundTruth(gt, { imageSha256: image.sha256, preprocess: store.getState().preprocess! })!;
    expect([aligned.width, aligned.height]).toEqual([SIDE, SIDE]);
    // the left half of the model input is the object, the right half is not
    expect(aligned.data[SIDE * 5 + 2]).toBe(1);
    expect(aligned.data[SIDE * 5 + SIDE - 3]).toBe(0);
  });

  it('a mask file of the image’s shape at another resolution is kept; a different shape or an empty mask is refused', async () => {
    let next: Mask = mask(8, 8, (x) => x < 4);
    const store = await page(memoryHistory(), { compute: { decodeMask: async () => decoded(next) } });
    await store.getState().loadMaskFile(new Blob(['m']), 'cat-mask.png');
    expect(store.getState().groundTruth).toMatchObject({ name: 'cat-mask.png', source: 'file', fraction: 0.5 });
    next = mask(8, 4, () => true);
    await store.getState().loadMaskFile(new Blob(['m']), 'wide.png');
    expect(store.getState().messages.at(-1)?.message).toMatch(/wide\.png is 8×4, the image 2×2: their shapes differ/);
    expect(store.getState().groundTruth?.name).toBe('cat-mask.png'); // the earlier mask stays
    next = mask(8, 8, () => false);
    await store.getState().loadMaskFile(new Blob(['m']), 'empty.png');
    expect(store.getState().messages.at(-1)?.message).toMatch(/marks no pixel/);
  });

  it('is bound to its image: another image has no ground truth, and a mask decoded after the image changed is dropped', async () => {
    let release!: (m: DecodedMask) => void;
    const store = await page(memoryHistory(), { compute: { decodeMask: () => new Promise<DecodedMask>((r) => (release = r)) } });
    store.getState().setMaskShape({ kind: 'box', box: { x: 0, y: 0, width: 2, height: 2 } });
    const cat = store.getState().groundTruth!;
    await store.getState().loadImage(new Blob(['y']), 'dog.png');
    const dog = store.getState().image!;
    expect(alignedGroundTruth(cat, { imageSha256: dog.sha256, preprocess: store.getState().preprocess! })).toBeUndefined();
    const pending = store.getState().loadMaskFile(new Blob(['m']), 'late.png');
    await store.getState().loadImage(new Blob(['z']), 'bird.png');
    release(decoded(mask(2, 2, () => true)));
    await pending;
    expect(store.getState().groundTruth?.name).not.toBe('late.png');
  });

  it('a drawn shape that covers no pixel is refused with a message', async () => {
    const store = await page(memoryHistory());
    store.getState().setMaskShape({ kind: 'freehand', points: [[0.1, 0.1], [0.2, 0.1], [0.15, 0.2]] });
    expect(store.getState().groundTruth).toBeUndefined();
    expect(store.getState().messages.at(-1)?.message).toMatch(/covers no pixel/);
  });
});
