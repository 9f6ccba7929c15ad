/** Milliseconds from a monotonic clock where there is one (workers, Node), else the wall clock. */
export function now(): number {
  const perf = (globalThis as { performance?: { now(): number } }).performance;
  return perf ? perf.now() : Date.now();
}
