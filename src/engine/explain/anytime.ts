/**
 * Anytime explanations: a sampled method estimates its own stability while it runs and stops when more samples
 * would no longer change the map. The estimate: fit the map on the even and on the odd samples separately (no
 * extra model calls) and take the Spearman agreement r of the two halves. By the Spearman–Brown step-up, two
 * independent maps from all n samples would agree at 2r/(1+r); the agreement of one of them with the map an
 * unlimited budget gives (its reliability index) is the square root of that. The run stops once that predicted
 * agreement reaches the target (e.g. 0.95: what the map at 4× the samples should agree with) at CONFIRMATIONS
 * checks in a row — the estimate is noisy, and stopping at its first crossing of the target favours a lucky one.
 */

/** Consecutive checks at or above the target before a run stops. */
export const CONFIRMATIONS = 3;

/** Predicted Spearman agreement of the map from all samples so far with the map from unlimited samples. */
export function predictedAgreement(splitHalf: number): number {
  if (!(splitHalf > 0)) return 0;
  return Math.sqrt((2 * splitHalf) / (1 + splitHalf));
}

/** Checks start once there are this many samples per feature (a stable ridge fit on each half needs some). */
export const MIN_SAMPLES_PER_FEATURE = 2;
export const MIN_SAMPLES = 100;

/** True when a run with `done` samples of `features` features may be judged yet. */
export function readyToJudge(done: number, features: number): boolean {
  return done >= Math.max(MIN_SAMPLES, MIN_SAMPLES_PER_FEATURE * features);
}

/** What an anytime run records: its target, its estimate after each check, and where it stopped (if it did). */
export interface AnytimeRecord {
  target: number;
  curve: { samples: number; agreement: number }[];
  stoppedAt?: number;
  /** A run continued past where an earlier one stopped (checked, not stopped): that stop. */
  continuedFrom?: number;
  /** The most the run could evaluate (its samples, coalitions or masks); absent in results saved before. */
  budget?: number;
  /** What it counts: RISE's masks; samples otherwise. */
  unit?: 'masks';
  /** Why there was nothing to judge (KernelSHAP's exact values). */
  note?: string;
}

/** What a record counts and its budget; results saved before records carried them count samples, `samples` of them. */
export function anytimeCount(record: AnytimeRecord, samples: number): { unit: 'samples' | 'masks'; budget: number } {
  return { unit: record.unit ?? 'samples', budget: record.budget ?? samples };
}

export interface AnytimeMonitor {
  /** The record the result carries. */
  record: AnytimeRecord;
  /** The evaluation loop's stop test: after each batch, with the samples so far. */
  stop(done: number): boolean;
}

/**
 * The stop test of a sampled method with `features` unknowns: once readyToJudge, each check asks `splitHalf` for
 * the Spearman agreement of the two halves' maps so far, records the predicted agreement and stops at
 * CONFIRMATIONS checks in a row at or above the target. Undefined when the target is 0 (run the whole budget) and
 * the run does not continue a stopped one (`continues`: then it checks against that run's target and never stops).
 */
export function anytimeMonitor(
  target: number,
  features: number,
  splitHalf: () => number,
  run: { budget: number; unit?: 'masks'; continues?: { target: number; stoppedAt: number } },
): AnytimeMonitor | undefined {
  const { continues } = run;
  const watchOnly = !(target > 0) && continues !== undefined;
  if (!(target > 0) && !watchOnly) return undefined;
  const counted = { budget: run.budget, ...(run.unit ? { unit: run.unit } : {}) };
  const record: AnytimeRecord = watchOnly ? { target: continues.target, curve: [], continuedFrom: continues.stoppedAt, ...counted } : { target, curve: [], ...counted };
  return {
    record,
    stop(done) {
      if (!readyToJudge(done, features)) return false;
      const agreement = predictedAgreement(splitHalf());
      record.curve.push({ samples: done, agreement });
      if (watchOnly) return false;
      // stable at CONFIRMATIONS checks in a row: stopping at the first crossing favours a lucky estimate
      if (record.curve.length < CONFIRMATIONS || record.curve.slice(-CONFIRMATIONS).some((c) => c.agreement < target)) return false;
      record.stoppedAt = done;
      return true;
    },
  };
}
