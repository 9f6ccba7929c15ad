/** Pearson correlation of two equal-length series; undefined when either has no variation (or is not finite). */
export function pearson(first: ArrayLike<number>, second: ArrayLike<number>): number | undefined {
  const n = first.length;
  if (n !== second.length || n < 2) return undefined;
  let meanA = 0, meanB = 0;
  for (let i = 0; i < n; i++) (meanA += first[i]), (meanB += second[i]);
  meanA /= n;
  meanB /= n;
  let ab = 0, aa = 0, bb = 0;
  for (let i = 0; i < n; i++) {
    const a = first[i] - meanA, b = second[i] - meanB;
    ab += a * b;
    aa += a * a;
    bb += b * b;
  }
  if (!(aa > 0) || !(bb > 0) || !Number.isFinite(ab)) return undefined;
  return Math.max(-1, Math.min(1, ab / Math.sqrt(aa * bb)));
}
