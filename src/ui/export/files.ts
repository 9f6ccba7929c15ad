/**
 * Turning what the engine draws into files, in the page: a figure (pixels + SVG text) or an SVG chart as PNG
 * through a canvas, data: URLs for the report, and the download itself. Nothing leaves the machine.
 */
import type { Figure } from '../../engine/export/figure';
import type { RgbaImage } from '../../engine/image/types';

export function download(name: string, blob: Blob): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

function canvasPng(canvas: HTMLCanvasElement): Promise<Blob> {
  return new Promise((resolve, reject) => canvas.toBlob((b) => (b ? resolve(b) : reject(new Error('PNG encoding failed'))), 'image/png'));
}

async function drawSvg(ctx: CanvasRenderingContext2D, svg: string, width: number, height: number): Promise<void> {
  const url = URL.createObjectURL(new Blob([svg], { type: 'image/svg+xml' }));
  try {
    const image = new Image();
    image.src = url;
    await image.decode();
    ctx.drawImage(image, 0, 0, width, height);
  } finally {
    URL.revokeObjectURL(url);
  }
}

function canvasOf(image: RgbaImage): HTMLCanvasElement {
  const canvas = document.createElement('canvas');
  canvas.width = image.width;
  canvas.height = image.height;
  canvas.getContext('2d')!.putImageData(new ImageData(new Uint8ClampedArray(image.data), image.width, image.height), 0, 0);
  return canvas;
}

/** The figure's pixels with its SVG text drawn over them (a bare figure has none), as a PNG. */
export async function figurePng(figure: Figure): Promise<Blob> {
  const canvas = canvasOf(figure.pixels);
  if (figure.svg) await drawSvg(canvas.getContext('2d')!, figure.svg, canvas.width, canvas.height);
  return canvasPng(canvas);
}

/** An RGBA image as a PNG. */
export function rgbaPng(image: RgbaImage): Promise<Blob> {
  return canvasPng(canvasOf(image));
}

const svgSize = (svg: string) => {
  const w = /<svg[^>]*\swidth="([\d.]+)"/.exec(svg), h = /<svg[^>]*\sheight="([\d.]+)"/.exec(svg);
  return { width: Number(w?.[1] ?? 300), height: Number(h?.[1] ?? 150) };
};

/** A standalone SVG chart rasterised at `scale` × its size (2: sharp on paper and on high-DPI screens). */
export async function svgPng(svg: string, scale = 2): Promise<Blob> {
  const { width, height } = svgSize(svg);
  const canvas = document.createElement('canvas');
  canvas.width = Math.round(width * scale);
  canvas.height = Math.round(height * scale);
  await drawSvg(canvas.getContext('2d')!, svg, canvas.width, canvas.height);
  return canvasPng(canvas);
}

export const svgBlob = (svg: string) => new Blob([svg], { type: 'image/svg+xml' });

export function dataUrl(blob: Blob): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(reader.result as string);
    reader.onerror = () => reject(reader.error ?? new Error('could not read the file'));
    reader.readAsDataURL(blob);
  });
}
