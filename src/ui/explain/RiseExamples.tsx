import { useMemo } from 'react';
import { createRgbaImage, type RgbaImage } from '../../engine/image/types';
import { ImageCanvas } from '../common/ImageCanvas';
import './views.css';

/** A few of RISE's random masks and the masked images the model scored, as the RISE report shows them (at least 1:1). */
export function RiseExamples(props: { image: RgbaImage; examples: { mask: number[]; score: number }[] }) {
  const tiles = useMemo(
    () =>
      props.examples.map(({ mask, score }) => {
        const { width, height, data } = props.image;
        const m = createRgbaImage(width, height), masked = createRgbaImage(width, height);
        for (let i = 0; i < width * height; i++) {
          const v = Math.round(mask[i] * 255);
          m.data.set([v, v, v, 255], i * 4);
          masked.data.set([data[i * 4] * mask[i], data[i * 4 + 1] * mask[i], data[i * 4 + 2] * mask[i], 255], i * 4);
        }
        return { mask: m, masked, score };
      }),
    [props.image, props.examples],
  );
  return (
    <div className="rise-examples rise-tiles" data-testid="rise-examples">
      {tiles.map((t, i) => (
        <figure key={i}>
          <ImageCanvas image={t.mask} label={`mask ${i + 1}`} pixelated />
          <ImageCanvas image={t.masked} label={`masked image ${i + 1}`} pixelated />
          <figcaption className="muted small">score {t.score.toPrecision(3)}</figcaption>
        </figure>
      ))}
    </div>
  );
}
