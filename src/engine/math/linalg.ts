/** Small dense linear algebra for surrogate fits: symmetric positive-definite solves by Cholesky. */

/**
 * Solve A x = b for symmetric positive-definite A (n×n, row-major), for several right-hand sides at once
 * (B is n×k, row-major). Returns X (n×k). A and B are not modified.
 */
export function solveSpd(a: Float64Array, b: Float64Array, n: number, k: number): Float64Array {
  const l = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let sum = a[i * n + j];
      for (let p = 0; p < j; p++) sum -= l[i * n + p] * l[j * n + p];
      if (i === j) {
        if (!(sum > 0)) throw new Error(`matrix is not positive definite (pivot ${i} = ${sum})`);
        l[i * n + i] = Math.sqrt(sum);
      } else {
        l[i * n + j] = sum / l[j * n + j];
      }
    }
  }
  const x = new Float64Array(n * k);
  for (let c = 0; c < k; c++) {
    // forward: L y = b
    for (let i = 0; i < n; i++) {
      let sum = b[i * k + c];
      for (let p = 0; p < i; p++) sum -= l[i * n + p] * x[p * k + c];
      x[i * k + c] = sum / l[i * n + i];
    }
    // backward: Lᵀ x = y
    for (let i = n - 1; i >= 0; i--) {
      let sum = x[i * k + c];
      for (let p = i + 1; p < n; p++) sum -= l[p * n + i] * x[p * k + c];
      x[i * k + c] = sum / l[i * n + i];
    }
  }
  return x;
}
