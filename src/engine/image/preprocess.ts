import { GlassboxError } from '../errors';
import { resizeWindowBilinearAntialiased } from './resize';
import type { RgbaImage } from './types';

export type ResizeMode = 'stretch' | 'crop';
export type Layout = 'NCHW' | 'NHWC';
export type ChannelOrder = 'RGB' | 'BGR';
export type ValueRange = 1 | 255;

/** Everything that turns a decoded photo into the model's input tensor. */
export interface PreprocessConfig {
  width: number;
  height: number;
  resize: ResizeMode;
  /** For 'crop': the shorter side is resized to round(size / cropFraction) before the centre crop (torchvision: 224/256). */
  cropFraction: number;
  /** Pixel values are first scaled to 0..range. */
  range: ValueRange;
  /** Per-channel (R, G, B order), in units of the scaled range: x = (v − mean) / std. */
  mean: [number, number, number];
  std: [number, number, number];
  channelOrder: ChannelOrder;
  layout: Layout;
  /** 1 for greyscale models (luma), 3 for colour. */
  channels: 1 | 3;
}

export const NORMALISATION_PRESETS = {
  imagenet: { label: 'ImageNet', range: 1, mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] },
  minusOneToOne: { label: '[-1, 1]', range: 1, mean: [0.5, 0.5, 0.5], std: [0.5, 0.5, 0.5] },
  none: { label: 'none', range: 1, mean: [0, 0, 0], std: [1, 1, 1] },
} as const satisfies Record<string, { label: string; range: ValueRange; mean: readonly number[]; std: readonly number[] }>;
export type NormalisationPreset = keyof typeof NORMALISATION_PRESETS;

export const DEFAULT_CROP_FRACTION = 224 / 256;

export function defaultPreprocess(width = 224, height = 224): PreprocessConfig {
  return {
    width,
    height,
    resize: 'crop',
    cropFraction: DEFAULT_CROP_FRACTION,
    range: 1,
    mean: [0.485, 0.456, 0.406],
    std: [0.229, 0.224, 0.225],
    channelOrder: 'RGB',
    layout: 'NCHW',
    channels: 3,
  };
}

/** The preset whose numbers the config uses, if any (for the panel's preset selector). */
export function matchPreset(cfg: Pick<PreprocessConfig, 'mean' | 'std'>): NormalisationPreset | undefined {
  const close = (a: readonly number[], b: readonly number[], scale: number) =>
    a.every((v, i) => Math.abs(v - b[i] * scale) < 1e-6 * Math.max(1, scale));
  for (const [name, p] of Object.entries(NORMALISATION_PRESETS)) {
    for (const scale of [1, 255]) {
      if (close(cfg.mean, p.mean, scale) && close(cfg.std, p.std, scale)) return name as NormalisationPreset;
    }
  }
  return undefined;
}

const MAX_SIDE = 8192;
/** The model input's pixel budget (a 2048×2048 image): larger inputs take gigabytes per explanation. */
export const MAX_INPUT_SIDE = 2048;
export const MAX_INPUT_PIXELS = MAX_INPUT_SIDE * MAX_INPUT_SIDE;

/** Reject configurations that cannot produce a sensible tensor, with a message naming the field. */
export function validatePreprocess(cfg: PreprocessConfig): void {
  const bad = (field: string, why: string) => {
    throw new GlassboxError('PARAM_INVALID', `Preprocessing: ${field} ${why}.`, 'Fix the value in the preprocessing panel.');
  };
  for (const [field, v] of [['width', cfg.width], ['height', cfg.height]] as const) {
    if (!Number.isInteger(v) || v < 1 || v > MAX_SIDE) bad(`input ${field}`, `must be a whole number from 1 to ${MAX_SIDE} (got ${v})`);
  }
  if (cfg.width * cfg.height > MAX_INPUT_PIXELS) bad('input size', `${cfg.width}×${cfg.height} is over ${MAX_INPUT_SIDE}×${MAX_INPUT_SIDE} pixels, more than an explanation can hold in memory`);
  if (cfg.resize !== 'stretch' && cfg.resize !== 'crop') bad('resize mode', `must be "stretch" or "crop" (got ${String(cfg.resize)})`);
  if (!(cfg.cropFraction > 0 && cfg.cropFraction <= 1)) bad('crop fraction', `must be in (0, 1] (got ${cfg.cropFraction})`);
  if (cfg.range !== 1 && cfg.range !== 255) bad('value range', `must be 1 or 255 (got ${String(cfg.range)})`);
  if (cfg.mean.length !== 3 || cfg.mean.some((m) => !Number.isFinite(m))) bad('mean', 'needs three finite numbers');
  if (cfg.std.length !== 3 || cfg.std.some((s) => !Number.isFinite(s) || s <= 0)) bad('std', 'needs three positive numbers');
  if (cfg.layout !== 'NCHW' && cfg.layout !== 'NHWC') bad('layout', `must be NCHW or NHWC (got ${String(cfg.layout)})`);
  if (cfg.channelOrder !== 'RGB' && cfg.channelOrder !== 'BGR') bad('channel order', `must be RGB or BGR (got ${String(cfg.channelOrder)})`);
  if (cfg.channels !== 1 && cfg.channels !== 3) bad('channels', `must be 1 or 3 (got ${String(cfg.channels)})`);
}

export interface ResizePlan {
  /** Size the whole image is resized to. */
  resizeWidth: number;
  resizeHeight: number;
  /** Window cut from the resized image: exactly width × height of the config. */
  cropX: number;
  cropY: number;
}

export function planResize(srcWidth: number, srcHeight: number, cfg: PreprocessConfig): ResizePlan {
  if (cfg.resize === 'stretch') return { resizeWidth: cfg.width, resizeHeight: cfg.height, cropX: 0, cropY: 0 };
  // torchvision: Resize(round(S / fraction)) scales the shorter side and truncates the longer one
  // (int(short_new * long / short)); CenterCrop(S) offsets by Python's round, which rounds half to even.
  const target = Math.max(cfg.width, cfg.height);
  const shorter = Math.round(target / cfg.cropFraction);
  const portrait = srcWidth <= srcHeight;
  const longer = Math.trunc((shorter * Math.max(srcWidth, srcHeight)) / Math.min(srcWidth, srcHeight));
  const resizeWidth = Math.max(cfg.width, portrait ? shorter : longer);
  const resizeHeight = Math.max(cfg.height, portrait ? longer : shorter);
  return {
    resizeWidth,
    resizeHeight,
    cropX: roundHalfToEven((resizeWidth - cfg.width) / 2),
    cropY: roundHalfToEven((resizeHeight - cfg.height) / 2),
  };
}

/** Python's round(): halves go to the even neighbour. */
function roundHalfToEven(x: number): number {
  const floor = Math.floor(x);
  const diff = x - floor;
  if (diff !== 0.5) return Math.round(x);
  return floor % 2 === 0 ? floor : floor + 1;
}

/**
 * Resize (and crop) a photo to the model's input size; the result is what the model sees, for display too.
 * Only the crop window of the resized image is computed (the same numbers as resizing it all and cropping after):
 * a 1×4096 strip would otherwise be resized to 256×1048576 — a gigabyte — to keep 224×224 of it.
 */
export function resizeForModel(src: RgbaImage, cfg: PreprocessConfig): RgbaImage {
  if (src.width < 1 || src.height < 1) throw new GlassboxError('IMAGE_EMPTY', 'The image has no pixels.');
  const plan = planResize(src.width, src.height, cfg);
  return resizeWindowBilinearAntialiased(src, plan.resizeWidth, plan.resizeHeight, { x: plan.cropX, y: plan.cropY, width: cfg.width, height: cfg.height });
}

export function tensorLength(cfg: PreprocessConfig): number {
  return cfg.width * cfg.height * cfg.channels;
}

export function tensorDims(cfg: PreprocessConfig, batch: number): number[] {
  return cfg.layout === 'NCHW' ? [batch, cfg.channels, cfg.height, cfg.width] : [batch, cfg.height, cfg.width, cfg.channels];
}

/**
 * Write an image already at the model's size into `out` at `offset` (one batch slot) in the model's layout,
 * channel order and normalisation. Per-channel scale/shift are folded once so the loop is one multiply-add.
 */
export function writeModelInput(img: RgbaImage, cfg: PreprocessConfig, out: Float32Array, offset = 0): void {
  if (img.width !== cfg.width || img.height !== cfg.height) {
    throw new GlassboxError('PARAM_INVALID', `Image is ${img.width}×${img.height} but the model input is ${cfg.width}×${cfg.height}.`);
  }
  const n = cfg.width * cfg.height;
  const px = img.data;
  const unit = cfg.range / 255;
  if (cfg.channels === 1) {
    const mean = (cfg.mean[0] + cfg.mean[1] + cfg.mean[2]) / 3;
    const std = (cfg.std[0] + cfg.std[1] + cfg.std[2]) / 3;
    for (let i = 0; i < n; i++) {
      const luma = 0.299 * px[i * 4] + 0.587 * px[i * 4 + 1] + 0.114 * px[i * 4 + 2];
      out[offset + i] = (luma * unit - mean) / std;
    }
    return;
  }
  // Output channel c reads source channel src[c]: RGB keeps order, BGR swaps R and B.
  const src = cfg.channelOrder === 'RGB' ? [0, 1, 2] : [2, 1, 0];
  const scale = src.map((s) => unit / cfg.std[s]);
  const shift = src.map((s) => -cfg.mean[s] / cfg.std[s]);
  if (cfg.layout === 'NCHW') {
    for (let c = 0; c < 3; c++) {
      const base = offset + c * n;
      const sc = scale[c], sh = shift[c], ch = src[c];
      for (let i = 0; i < n; i++) out[base + i] = px[i * 4 + ch] * sc + sh;
    }
  } else {
    for (let i = 0; i < n; i++) {
      for (let c = 0; c < 3; c++) out[offset + i * 3 + c] = px[i * 4 + src[c]] * scale[c] + shift[c];
    }
  }
}

/** Decoded photo → model input tensor (batch of one) plus the resized image the model sees. */
export function preprocessImage(src: RgbaImage, cfg: PreprocessConfig): { resized: RgbaImage; tensor: Float32Array; dims: number[] } {
  validatePreprocess(cfg);
  const resized = resizeForModel(src, cfg);
  const tensor = new Float32Array(tensorLength(cfg));
  writeModelInput(resized, cfg, tensor);
  return { resized, tensor, dims: tensorDims(cfg, 1) };
}

/** The pipeline as readable steps, shown in the panel and printed by the CLI. */
export function describePipeline(cfg: PreprocessConfig, srcWidth?: number, srcHeight?: number): string[] {
  const fmt = (v: readonly number[]) => `[${v.map((x) => +x.toFixed(4)).join(', ')}]`;
  const steps: string[] = [];
  const from = srcWidth && srcHeight ? `${srcWidth}×${srcHeight} ` : '';
  steps.push(`decode ${from}image to 8-bit RGB${cfg.channels === 1 ? ', then luma (0.299 R + 0.587 G + 0.114 B)' : ''}`);
  if (cfg.resize === 'stretch') {
    steps.push(`resize to ${cfg.width}×${cfg.height} (antialiased bilinear, aspect ratio not kept)`);
  } else {
    const shorter = Math.round(Math.max(cfg.width, cfg.height) / cfg.cropFraction);
    const plan = srcWidth && srcHeight ? planResize(srcWidth, srcHeight, cfg) : undefined;
    steps.push(`resize shorter side to ${shorter}${plan ? ` (${plan.resizeWidth}×${plan.resizeHeight})` : ''} (antialiased bilinear)`);
    steps.push(`centre-crop ${cfg.width}×${cfg.height}`);
  }
  steps.push(cfg.range === 1 ? 'scale pixel values to 0–1 (÷255)' : 'keep pixel values 0–255');
  const identity = cfg.mean.every((m) => m === 0) && cfg.std.every((s) => s === 1);
  if (!identity) steps.push(`normalise (x − mean) / std, mean ${fmt(cfg.mean)}, std ${fmt(cfg.std)} (R, G, B)`);
  if (cfg.channels === 3 && cfg.channelOrder === 'BGR') steps.push('reorder channels to BGR');
  const dims = tensorDims(cfg, 1);
  steps.push(`lay out as ${cfg.layout} float32 [${dims.join(', ')}]`);
  return steps;
}
