/** Gradient attribution methods (captum): Saliency, Input × Gradient, Integrated Gradients, SmoothGrad, Guided Backprop. */
import { describe } from '../descriptor';
import type { HideSpec } from '../hide';
import { BATCH_PARAM } from './lime';

export interface PlainGradientParams {
  batchSize: number;
}

export interface IgParams {
  steps: number;
  /** The baseline image the path starts from (captum's default: the zero tensor; ours: black). */
  baseline: HideSpec;
  /** captum's default 'gausslegendre', or 'riemann_trapezoid'. */
  rule: 'gausslegendre' | 'riemann_trapezoid';
  batchSize: number;
}

export interface SmoothGradParams {
  samples: number;
  /** Noise σ as a fraction of the input tensor's value range (max − min). */
  noise: number;
  batchSize: number;
}

export const SALIENCY_META = describe<PlainGradientParams>({
  id: 'saliency', label: 'Saliency', reference: 'Simonyan et al. 2014 · captum Saliency', group: 'Gradients', needs: 'input-gradient', seeded: false, result: 'pixel-map',
  values: 'largest |gradient| of the {score} over the colour channels',
  rows: (_p, { targets }) => 2 * targets,
  howToRead: 'The size of the class score’s gradient at each pixel (largest over channels): where a tiny change would move the score most — sensitivity, not evidence.',
  params: [BATCH_PARAM(16)],
});

export const INPUTXGRAD_META = describe<PlainGradientParams>({
  id: 'inputxgrad', label: 'Input × Gradient', reference: 'Shrikumar et al. 2016 · captum InputXGradient', group: 'Gradients', needs: 'input-gradient', seeded: false, result: 'pixel-map',
  values: 'input × gradient of the {score}, summed over the colour channels',
  rows: (_p, { targets }) => 2 * targets,
  howToRead: 'Input times gradient, summed over channels: a first-order estimate of each pixel’s contribution; red raises the score, blue lowers it.',
  params: [BATCH_PARAM(16)],
});

export const IG_META = describe<IgParams>({
  id: 'ig', label: 'Integrated Gradients', reference: 'Sundararajan et al., ICML 2017 · captum IntegratedGradients', group: 'Gradients', needs: 'input-gradient', seeded: false, result: 'pixel-map',
  values: 'contribution to the {score} difference between the image and the baseline, summed over the colour channels',
  rows: (p, { targets }) => 2 * p.steps * targets + 2,
  howToRead: 'Each pixel’s contribution to the score difference between the image and the baseline (red raises, blue lowers); the contributions add up to that difference — the completeness check says how closely.',
  params: [
    { kind: 'int', name: 'steps', label: 'Steps', help: 'Points on the path from the baseline to the image', cli: 'steps', default: 50, min: 1, max: 2000 },
    { kind: 'hide', name: 'baseline', label: 'Baseline', help: 'The image the path starts from', cli: 'baseline', sigmaCli: 'sigma', default: { mode: 'black', blurSigma: 5 }, modes: ['black', 'blur', 'grey', 'color', 'zeros'] },
    { kind: 'choice', name: 'rule', label: 'Rule', help: 'Integration rule', cli: 'rule', default: 'gausslegendre', choices: [{ value: 'gausslegendre', label: 'Gauss–Legendre (captum)' }, { value: 'riemann_trapezoid', label: 'trapezoid' }] },
    BATCH_PARAM(16),
  ],
});

export const SMOOTHGRAD_META = describe<SmoothGradParams>({
  id: 'smoothgrad', label: 'SmoothGrad', reference: 'Smilkov et al. 2017 · captum NoiseTunnel(Saliency)', group: 'Gradients', needs: 'input-gradient', seeded: true, result: 'pixel-map',
  values: 'largest |gradient| of the {score} over the colour channels, averaged over noisy copies',
  rows: (p, { targets }) => 2 * p.samples * targets,
  howToRead: 'Saliency averaged over noisy copies of the image: the same sensitivity, with the speckle of single gradients smoothed out.',
  params: [
    { kind: 'int', name: 'samples', label: 'Samples', help: 'Noisy copies averaged', cli: 'samples', default: 25, min: 1, max: 5000 },
    { kind: 'number', name: 'noise', label: 'Noise', help: "σ as a fraction of the input's value range", cli: 'noise', default: 0.15, min: 0, max: 10, step: 0.05 },
    BATCH_PARAM(16),
  ],
});

export const GUIDEDBACKPROP_META = describe<PlainGradientParams>({
  id: 'guidedbackprop', label: 'Guided Backprop', reference: 'Springenberg et al. 2015 · captum GuidedBackprop', group: 'Gradients', needs: 'input-gradient', seeded: false, result: 'pixel-map',
  values: 'guided gradient of the {score}, summed over the colour channels',
  rows: (_p, { targets }) => 2 * targets,
  howToRead: 'Gradients passed back through ReLUs only where both the activation and the gradient are positive: sharp edges the network reacts to, largely independent of the class.',
  params: [BATCH_PARAM(16)],
});
