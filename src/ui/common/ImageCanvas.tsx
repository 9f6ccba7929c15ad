import { useEffect, useRef } from 'react';
import type { RgbaImage } from '../../engine/image/types';

/** Paints an RGBA image; CSS scales it (pixelated for tiny model inputs). */
export function ImageCanvas(props: { image: RgbaImage; className?: string; label: string; pixelated?: boolean; testId?: string; title?: string }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    const c = canvas.current;
    if (!c) return;
    const { width, height, data } = props.image;
    // set only when it changes: assigning a canvas its own size still clears it and marks its layout dirty, which
    // re-laid out the whole column on every "map so far" a running method sent
    if (c.width !== width) c.width = width;
    if (c.height !== height) c.height = height;
    const pixels = new ImageData(new Uint8ClampedArray(data.buffer as ArrayBuffer, data.byteOffset, data.byteLength), width, height);
    c.getContext('2d')?.putImageData(pixels, 0, 0);
  }, [props.image]);
  return (
    <canvas
      ref={canvas}
      className={props.className}
      aria-label={props.label}
      title={props.title}
      role="img"
      data-testid={props.testId}
      // the intrinsic size before the first paint, so layout does not jump
      width={props.image.width}
      height={props.image.height}
      style={props.pixelated ? { imageRendering: 'pixelated' } : undefined}
    />
  );
}
