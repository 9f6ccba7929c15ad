/** The Partition SHAP tree: shap's Image-masker partition (halve the longer side, rows first on ties) as typed arrays. */
import { describe, expect, it } from 'vitest';
import { buildPartitionTree, partitionEvaluationsNeeded, type PartitionTree } from '../../../src/engine/explain/partition-shap';

const rect = (t: PartitionTree, i: number) => [t.x0[i], t.y0[i], t.x1[i], t.y1[i]];

/** Every structural property at once; returns the first few violations (expect() per node is too slow at 224×224). */
function treeProblems(t: PartitionTree, minBlock: number): string[] {
  const problems: string[] = [];
  const fail = (i: number, what: string) => problems.length < 5 && problems.push(`node ${i} ${JSON.stringify(rect(t, i))}: ${what}`);
  const same = (a: number[], b: number[]) => a.every((v, k) => v === b[k]);
  const cover = new Int32Array(t.width * t.height);
  for (let i = 0; i < t.count; i++) {
    const w = t.x1[i] - t.x0[i], h = t.y1[i] - t.y0[i];
    if (t.size[i] !== w * h) fail(i, 'size is not its area');
    if (t.left[i] < 0) {
      // a leaf is at most minBlock on each side
      if (t.right[i] !== -1) fail(i, 'leaf with a right child');
      if (w > minBlock || h > minBlock) fail(i, 'leaf larger than minBlock');
      for (let y = t.y0[i]; y < t.y1[i]; y++) for (let x = t.x0[i]; x < t.x1[i]; x++) cover[y * t.width + x]++;
      continue;
    }
    const l = t.left[i], r = t.right[i];
    if (!(l > i && t.parent[l] === i && t.parent[r] === i)) fail(i, 'children not after their parent');
    if (t.depth[l] !== t.depth[i] + 1 || t.depth[r] !== t.depth[i] + 1) fail(i, 'depth');
    if (t.size[l] + t.size[r] !== t.size[i]) fail(i, 'children sizes do not add up');
    if (h >= w) {
      // rows split (ties too): same columns, the first half has floor(h/2) rows
      const mid = t.y0[i] + Math.floor(h / 2);
      if (!same(rect(t, l), [t.x0[i], t.y0[i], t.x1[i], mid]) || !same(rect(t, r), [t.x0[i], mid, t.x1[i], t.y1[i]])) fail(i, 'bad row split');
    } else {
      const mid = t.x0[i] + Math.floor(w / 2);
      if (!same(rect(t, l), [t.x0[i], t.y0[i], mid, t.y1[i]]) || !same(rect(t, r), [mid, t.y0[i], t.x1[i], t.y1[i]])) fail(i, 'bad column split');
    }
  }
  // the leaves tile the image: every pixel exactly once
  if (!cover.every((c) => c === 1)) problems.push('leaves do not tile the image exactly once');
  if (t.size[0] !== t.width * t.height) problems.push('root is not the whole image');
  return problems;
}

describe('partition tree (shap Image masker, axis-aligned halving)', () => {
  it('single-pixel leaves: 2·W·H − 1 nodes, children sizes add up, leaves tile the image', () => {
    for (const [w, h] of [[8, 8], [12, 10], [7, 3], [1, 5], [1, 1], [224, 224]]) {
      const t = buildPartitionTree(w, h, 1);
      expect(t.count).toBe(2 * w * h - 1);
      expect(treeProblems(t, 1), `${w}×${h}`).toEqual([]);
    }
  });

  it('splits the longer side, rows first on a tie, the first half taking floor(n/2)', () => {
    const t = buildPartitionTree(5, 5);
    expect(rect(t, t.left[0])).toEqual([0, 0, 5, 2]); // 5×5: rows first, 2 then 3
    expect(rect(t, t.right[0])).toEqual([0, 2, 5, 5]);
    const wide = buildPartitionTree(7, 3);
    expect(rect(wide, wide.left[0])).toEqual([0, 0, 3, 3]);
    expect(rect(wide, wide.right[0])).toEqual([3, 0, 7, 3]);
    // a 5×2 top half is wider than tall: split columns 2 + 3
    const top = t.left[0];
    expect(rect(t, t.left[top])).toEqual([0, 0, 2, 2]);
    expect(rect(t, t.right[top])).toEqual([2, 0, 5, 2]);
  });

  it('minBlock stops at blocks at most that many pixels on each side', () => {
    for (const [w, h, b] of [[16, 16, 4], [12, 10, 3], [224, 224, 8], [9, 9, 9], [9, 9, 20]]) {
      const t = buildPartitionTree(w, h, b);
      expect(treeProblems(t, b), `${w}×${h} minBlock ${b}`).toEqual([]);
    }
    const t = buildPartitionTree(16, 16, 4);
    expect(t.count).toBe(2 * 16 - 1); // 16 leaves of 4×4
    expect(buildPartitionTree(9, 9, 9).count).toBe(1);
  });

  it('evaluations to expand fully: Σ over internal nodes of 2^(depth+1) (≈ M² for M leaves)', () => {
    // 8×8: depths 0..5 hold 2^d internal nodes each, expanded 2^d times, two evaluations each
    let expected = 0;
    for (let d = 0; d < 6; d++) expected += 2 ** d * 2 ** (d + 1);
    expect(partitionEvaluationsNeeded(buildPartitionTree(8, 8))).toBe(expected);
    expect(expected).toBe(2730);
    expect(partitionEvaluationsNeeded(buildPartitionTree(3, 3, 3))).toBe(0);
  });
});
