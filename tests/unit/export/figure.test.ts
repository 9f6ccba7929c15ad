import { describe, expect, it } from 'vitest';
import { figureLayout, figureScale, renderFigure, wrapWords } from '../../../src/engine/export/figure';
import type { Explanation } from '../../../src/engine/explain/types';
import { createRgbaImage } from '../../../src/engine/image/types';
import { COLORMAPS } from '../../../src/engine/render/colormap';

describe('exported figure', () => {
  it('upscales by a whole factor to at least 384 px on the short side', () => {
    expect(figureScale(96, 96)).toBe(4);
    expect(figureScale(224, 224)).toBe(2);
    expect(figureScale(384, 384)).toBe(1);
    expect(figureScale(500, 100)).toBe(4);
    expect(figureLayout(96, 96).overlay).toMatchObject({ width: 384, height: 384, scale: 4 });
  });

  it('wraps a long units line between words', () => {
    expect(wrapWords('a bb ccc dddd', 6)).toEqual(['a bb', 'ccc', 'dddd']);
  });

  it('draws the overlay, the colour bar in the kind’s colour map, and a title with method, class and model (escaped)', () => {
    const image = createRgbaImage(4, 4);
    image.data.fill(128);
    const result = {
      kind: 'cam', method: 'gradcam', target: 2, targetLabel: 'cat & dog', width: 4, height: 4, signed: false, scoreSpace: 'raw',
      map: Array.from({ length: 16 }, (_, i) => i), classes: [], params: {}, seed: 0, normalisedMap: [], layer: 'l', cam: [], camWidth: 1, camHeight: 1,
      timings: { totalMs: 0, inferenceMs: 0, modelCalls: 0, samples: 0, batchSize: 1 },
    } as Explanation;
    const fig = renderFigure(result, image, 'model.onnx');
    expect(fig.title).toBe('Grad-CAM · class 2 (cat & dog) · model.onnx');
    expect(fig.svg).toContain('cat &amp; dog');
    expect(fig.colorBar.colormap).toBe('jet');
    const px = (x: number, y: number) => [...fig.pixels.data.subarray((y * fig.pixels.width + x) * 4, (y * fig.pixels.width + x) * 4 + 3)];
    const y = fig.colorBar.top + 2;
    expect(px(fig.colorBar.left, y)).toEqual([...COLORMAPS.jet.subarray(0, 3)]);
    expect(px(fig.colorBar.left + fig.colorBar.width - 1, y)).toEqual([...COLORMAPS.jet.subarray(765, 768)]);
    // nearest-neighbour upscaling: each map pixel is a scale × scale block
    const { left, top, scale } = fig.overlay;
    expect(px(left, top)).toEqual(px(left + scale - 1, top + scale - 1));
    expect(px(left, top)).not.toEqual(px(left + scale, top));
    expect(() => renderFigure(result, createRgbaImage(3, 3), 'm')).toThrow(/3×3/);
  });
});
