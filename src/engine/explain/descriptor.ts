/**
 * A method described as data (squoosh's per-codec meta.ts): what it is, what it needs, its parameters with their
 * defaults, ranges, help and CLI flags, what it returns and how to read it. The UI's forms, the method picker, the
 * comparison list, the availability rule, the store's defaults and persistence, the CLI's flags, validation,
 * `--help` and README's method table are all derived from these. Descriptors hold no explainer code, so the main
 * thread imports them without pulling the engine into its bundle.
 */
import type { HideMode, HideSpec } from './hide';
import type { SegmentationSpec } from './segmentation';

/** What a method needs from the model: plain inference, a layer's activation, or gradients. */
export type MethodNeeds = 'inference' | 'activation' | 'layer-gradient' | 'input-gradient';

/** The picker's groups, in the order they are shown. */
export const METHOD_GROUPS = ['Perturbation', 'CAM (gradients)', 'CAM (gradient-free)', 'Gradients'] as const;
export type MethodGroup = (typeof METHOD_GROUPS)[number];

/** The result's shape: weights per superpixel, a per-pixel map, or a class activation map at a layer's resolution. */
export type ResultKind = 'superpixel-weights' | 'pixel-map' | 'cam';

interface ParamBase {
  /** Key in the params object. */
  name: string;
  /** Label in the UI form (also the input's accessible name). */
  label: string;
  /** One line of help: the form's tooltip, the CLI's help and the README. */
  help: string;
  /** CLI flag without the dashes; the same flag may mean the same thing for several methods. */
  cli: string;
  /** Shown and applied only when another parameter has one of these values. */
  when?: { param: string; is: readonly unknown[] };
}

export interface IntParam extends ParamBase {
  kind: 'int';
  default: number;
  min: number;
  max: number;
  step?: number;
  unit?: string;
  /** 'batch': the shared batch-size field (its tooltip says whether the model batches). */
  group?: 'batch';
}

export interface NumberParam extends ParamBase {
  kind: 'number';
  default: number;
  min: number;
  max: number;
  /** Bounds excluded (0 < p < 1). */
  exclusive?: boolean;
  step?: number;
  unit?: string;
}

/** A whole number, or 'auto' (KernelSHAP's samples). */
export interface IntOrAutoParam extends ParamBase {
  kind: 'int-or-auto';
  default: number | 'auto';
  /** The number put in the field when 'auto' is switched off. */
  manual: number;
  min: number;
  max: number;
  step?: number;
}

/** A number, or 'auto' (RISE's keep probability). */
export interface NumberOrAutoParam extends ParamBase {
  kind: 'number-or-auto';
  default: number | 'auto';
  manual: number;
  min: number;
  max: number;
  exclusive?: boolean;
  step?: number;
}

export interface ChoiceParam extends ParamBase {
  kind: 'choice';
  default: string;
  choices: readonly { value: string; label: string }[];
}

/** Which class scores a perturbation method explains: probabilities (lime's predict_proba) or raw outputs (`--raw`). */
export interface ScoreSpaceParam extends ParamBase {
  kind: 'score-space';
  default: 'probability' | 'raw';
}

/** The shared segmentation field group (SLIC, quickshift, Felzenszwalb, grid). */
export interface SegmentationParam extends ParamBase {
  kind: 'segmentation';
  default: SegmentationSpec;
}

/** The shared "what hidden pixels show" field group; `modes` are the choices this method offers. */
export interface HideParam extends ParamBase {
  kind: 'hide';
  default: HideSpec;
  modes: readonly HideMode[];
  /** CLI flag of the blur sigma. */
  sigmaCli: string;
}

/** The shared target-layer field (CAMs): empty means the suggested layer. */
export interface LayerParam extends ParamBase {
  kind: 'layer';
}

export type ParamSpec = IntParam | NumberParam | IntOrAutoParam | NumberOrAutoParam | ChoiceParam | ScoreSpaceParam | SegmentationParam | HideParam | LayerParam;

/** What a run's cost depends on besides its parameters. */
export interface CostContext {
  width: number;
  height: number;
  /** Classes explained in one run (Top labels). */
  targets: number;
  /** Channels of the target layer (Score-CAM, Ablation-CAM), when known. */
  channels?: number;
}

export interface MethodDescriptor<P = Record<string, unknown>> {
  id: string;
  label: string;
  /** Paper and reference library. */
  reference: string;
  group: MethodGroup;
  needs: MethodNeeds;
  /** The parameters, in form order. */
  params: readonly ParamSpec[];
  /** Whether the seed changes the result (random sampling); the seed field is shown only then. */
  seeded: boolean;
  result: ResultKind;
  /** Plain-language sentence: how to read the map this method draws. */
  howToRead: string;
  /** What the map's values are, with {score} standing for the score space in words ("class probability"). */
  values: string;
  /** Cross-parameter rules beyond each field's range, as messages (data only: no engine code). */
  check?: (params: P, context: { width: number; height: number }) => string | undefined;
  /**
   * Images a run sends through the model (forward+backward runs count as 2), for the cost shown before the click;
   * the model calls follow from the batch size.
   */
  rows: (params: P, context: CostContext) => number;
  /**
   * When a run batches its rows in separate phases (RISE: the unmasked image alone, then each p1 candidate's
   * masks, then the masks), the rows of each phase, summing to `rows`: each phase's last batch is a call of its own.
   */
  phases?: (params: P, context: CostContext) => number[];
  /** Type carrier only: never set. */
  readonly __params?: P;
}

/** Define a descriptor with its params type attached (for MethodParams). */
export function describe<P>(d: MethodDescriptor<P>): MethodDescriptor<P> {
  return d;
}

export type ParamsOf<D> = D extends MethodDescriptor<infer P> ? P : never;
