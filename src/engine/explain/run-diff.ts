/**
 * What tells runs apart: for runs shown side by side (seed 004 compares one method with hide colour black, red or
 * blue, or 5000 vs 10000 samples), each run's caption names its method and only the settings that differ among
 * the runs — parameters (nested ones flattened: "Hide · mode"), seed, class and model — so two LIME runs read
 * "LIME · Hide · colour #ff0000" and "LIME · Hide · colour #0000ff", not two identical "LIME" titles.
 */
import { descriptorOf, type MethodId } from './registry';

export interface RunFacts {
  method: MethodId;
  params: object;
  seed: number;
  target: number;
  targetLabel?: string;
  modelName: string;
  modelSha256: string;
}

export interface RunDifference {
  /** "Samples", "Hide · colour", "seed", "class", "model". */
  field: string;
  value: string;
}

function formatValue(v: unknown): string {
  if (Array.isArray(v)) return v.map(formatValue).join(', ');
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : String(Number(v.toPrecision(4)));
  if (v === undefined) return '—';
  return String(v);
}

/** Leaf values of a parameter object, keyed by a readable path (top-level names by their descriptor label). */
function flatten(method: MethodId, params: object): Map<string, string> {
  const labels = new Map(descriptorOf(method).params.map((p) => [p.name, p.label]));
  const out = new Map<string, string>();
  const walk = (value: unknown, path: string[]) => {
    if (value && typeof value === 'object' && !Array.isArray(value)) {
      for (const [k, v] of Object.entries(value)) walk(v, [...path, k]);
      return;
    }
    const [head, ...rest] = path;
    out.set([labels.get(head) ?? head, ...rest].join(' · '), formatValue(value));
  };
  walk(params, []);
  return out;
}

/** Per run, the fields whose values differ among `runs` (in a stable order: parameters, seed, class, model). */
export function runDifferences(runs: RunFacts[]): RunDifference[][] {
  const flat = runs.map((r) => flatten(r.method, r.params));
  const paramFields = [...new Set(flat.flatMap((f) => [...f.keys()]))];
  // keyOf decides whether runs differ; valueOf is what the caption shows
  const fields: { field: string; keyOf: (i: number) => string; valueOf: (i: number) => string }[] = [
    ...paramFields.map((field) => ({ field, keyOf: (i: number) => flat[i].get(field) ?? '—', valueOf: (i: number) => flat[i].get(field) ?? '—' })),
    { field: 'seed', keyOf: (i) => String(runs[i].seed), valueOf: (i) => String(runs[i].seed) },
    { field: 'class', keyOf: (i) => String(runs[i].target), valueOf: (i) => `#${runs[i].target}${runs[i].targetLabel ? ` ${runs[i].targetLabel}` : ''}` },
    { field: 'model', keyOf: (i) => runs[i].modelSha256, valueOf: (i) => `${runs[i].modelName} (${runs[i].modelSha256.slice(0, 8)})` },
  ];
  // a parameter only one method has is not a difference between runs of different methods: compare within a method
  const differs = (field: string, keyOf: (i: number) => string, isParam: boolean) => {
    const groups = new Map<string, Set<string>>();
    runs.forEach((r, i) => {
      if (isParam && !flat[i].has(field)) return;
      const key = isParam ? r.method : '';
      groups.set(key, (groups.get(key) ?? new Set()).add(keyOf(i)));
    });
    return [...groups.values()].some((values) => values.size > 1);
  };
  const differing = fields.filter((f, n) => differs(f.field, f.keyOf, n < paramFields.length));
  return runs.map((_, i) => differing.filter((f) => f.field === 'seed' || f.field === 'class' || f.field === 'model' || flat[i].has(f.field)).map((f) => ({ field: f.field, value: f.valueOf(i) })));
}

/** "LIME · Samples 5000 · seed 3": the method and what sets the run apart from the others shown with it. */
export function runCaptions(runs: RunFacts[]): string[] {
  return runDifferences(runs).map((diffs, i) => [descriptorOf(runs[i].method).label, ...diffs.map((d) => `${d.field} ${d.value}`)].join(' · '));
}
