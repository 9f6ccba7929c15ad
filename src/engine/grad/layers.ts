/**
 * Target layers for CAM methods: every float tensor that is a spatial feature map [N, C, h, w] or a transformer
 * token sequence [N, 1+h·w, C] / [N, h·w, C] computed from the image, and the one to suggest — the last spatial
 * map before the head's global pooling or flattening (pytorch-grad-cam's layer4[-1] / features[-1]; the pools
 * inside squeeze-excitation blocks come earlier and are passed over), or for transformers the input to the
 * last block's first LayerNorm output that still mixes all tokens (blocks[-1].norm1).
 */
import { allInputs, type GraphEditor } from '../onnx/graph-edit';
import type { Dim } from '../onnx/model-graph';
import type { ShapeMap } from '../onnx/shapes';

export type LayerLayout = 'spatial' | 'tokens-cls' | 'tokens';

export interface LayerCandidate {
  name: string;
  opType: string;
  shape: Dim[];
  layout: LayerLayout;
  /** Feature-map size the CAM is computed at. */
  gridHeight: number;
  gridWidth: number;
  channels: number;
}

export interface LayerCatalog {
  candidates: LayerCandidate[];
  suggested?: string;
  /** Why that one (shown beside the picker). */
  reason: string;
}

function squareSide(n: number): number | undefined {
  const s = Math.round(Math.sqrt(n));
  return s * s === n && s > 1 ? s : undefined;
}

/** The batch axis: 'N' (dynamic batch) or 1 (a fixed batch of one); not 'N×k' (heads folded into the batch) nor a sequence. */
const isBatchDim = (d: Dim | undefined) => d === 'N' || d === 1;

export function describeLayer(name: string, opType: string, shape: Dim[] | undefined, dtype: string): LayerCandidate | undefined {
  if (!shape || dtype !== 'float32' || !isBatchDim(shape[0])) return undefined;
  if (shape.length === 4) {
    const [, c, h, w] = shape;
    if (typeof c === 'number' && typeof h === 'number' && typeof w === 'number' && h * w > 1 && c > 1) {
      return { name, opType, shape, layout: 'spatial', gridHeight: h, gridWidth: w, channels: c };
    }
  }
  if (shape.length === 3) {
    const [, t, c] = shape;
    if (typeof t === 'number' && typeof c === 'number' && c > 1) {
      const withCls = squareSide(t - 1);
      if (withCls) return { name, opType, shape, layout: 'tokens-cls', gridHeight: withCls, gridWidth: withCls, channels: c };
      const plain = squareSide(t);
      if (plain) return { name, opType, shape, layout: 'tokens', gridHeight: plain, gridWidth: plain, channels: c };
    }
  }
  return undefined;
}

const POOLING = new Set(['GlobalAveragePool', 'GlobalMaxPool', 'Flatten', 'ReduceMean', 'ReduceMax', 'Reshape', 'AveragePool', 'MaxPool', 'Gather', 'Slice']);

export function layerCatalog(editor: GraphEditor, shapes: ShapeMap): LayerCatalog {
  const order = editor.topologicalNodes();
  const candidates: LayerCandidate[] = [];
  const byName = new Map<string, LayerCandidate>();
  // activations only: tensors computed from the image (never weights, Constants or arithmetic on weights alone)
  const fromInput = new Set<string>(editor.inputNames);
  for (const n of order) if (allInputs(n).some((i) => fromInput.has(i))) for (const o of n.output ?? []) if (o) fromInput.add(o);
  for (const n of order) {
    for (const o of n.output ?? []) {
      if (!fromInput.has(o)) continue;
      const info = shapes.get(o);
      const c = describeLayer(o, n.opType ?? '', info?.shape, info?.dtype ?? '');
      if (c) {
        candidates.push(c);
        byName.set(o, c);
      }
    }
  }
  if (!candidates.length) return { candidates, reason: 'No spatial feature map or token sequence in this model: CAM methods do not apply.' };
  const spatial = candidates.filter((c) => c.layout === 'spatial');
  // A model whose last candidate is a token sequence is a transformer (its spatial maps are the patch embedding).
  const transformer = candidates[candidates.length - 1].layout !== 'spatial';
  if (spatial.length && !transformer) {
    // the last node that pools or flattens a spatial map away (the classifier head's pool, not a
    // squeeze-excitation block's): its input is the suggested layer
    for (const n of [...order].reverse()) {
      const input = n.input?.[0] ?? '';
      const from = byName.get(input);
      if (!from || from.layout !== 'spatial' || !POOLING.has(n.opType ?? '')) continue;
      const out = shapes.get(n.output?.[0] ?? '')?.shape;
      const pooledAway = !out || out.length < 4 || (out[2] === 1 && out[3] === 1);
      if (pooledAway) return { candidates, suggested: input, reason: `the last spatial feature map (${from.shape.join('×')}) before ${n.opType}` };
    }
    const last = spatial[spatial.length - 1];
    return { candidates, suggested: last.name, reason: `the last spatial feature map (${last.shape.join('×')})` };
  }
  // Transformers: the last LayerNorm output that feeds self-attention (a Softmax before the next LayerNorm),
  // i.e. blocks[-1].norm1: after it, attention still mixes the patch tokens into the CLS token; later norms
  // (the MLP's norm2, the final norm) only reach the classifier through the CLS token, so their CAM is blank.
  const norms = candidates.filter((c) => c.opType === 'LayerNormalization' && c.layout !== 'spatial');
  const pool = norms.length ? norms : candidates.filter((c) => c.layout !== 'spatial');
  const consumers = new Map<string, typeof order>();
  for (const n of order) for (const i of n.input ?? []) consumers.set(i, [...(consumers.get(i) ?? []), n]);
  const feedsAttention = (name: string): boolean => {
    const seen = new Set<string>();
    const queue = [name];
    while (queue.length) {
      const t = queue.shift()!;
      for (const n of consumers.get(t) ?? []) {
        if (n.opType === 'Softmax') return true;
        if (n.opType === 'LayerNormalization') continue;
        for (const o of n.output ?? []) if (!seen.has(o)) seen.add(o), queue.push(o);
      }
    }
    return false;
  };
  for (let i = pool.length - 1; i >= 0; i--) {
    if (feedsAttention(pool[i].name)) return { candidates, suggested: pool[i].name, reason: `the last transformer block's attention input (${pool[i].shape.join('×')}), as pytorch-grad-cam's blocks[-1].norm1` };
  }
  const last = pool[pool.length - 1];
  return { candidates, suggested: last.name, reason: `the last token sequence (${last.shape.join('×')})` };
}
