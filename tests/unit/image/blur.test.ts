/** Gaussian smoothing against scipy.ndimage.gaussian_filter (the filter scikit-image's gaussian uses). */
import { describe, expect, it } from 'vitest';
import { gaussianBlurPlane } from '../../../src/engine/image/blur';

// a = np.arange(20).reshape(4, 5) ** 1.5; gaussian_filter(a, 1.0, mode=…, truncate=…), rounded to 6 places
const input = Float32Array.from({ length: 20 }, (_, i) => i ** 1.5);
const SCIPY_REFLECT_T4 = [6.326136, 7.819035, 10.269983, 13.056785, 15.124856, 16.977661, 19.201287, 22.636224, 26.320359, 28.969857, 34.649815, 37.704029, 42.280048, 47.029314, 50.378846, 49.581581, 53.137471, 58.416935, 63.838184, 67.635524];
const SCIPY_NEAREST_T3 = [5.383656, 6.899143, 9.242622, 11.94137, 14.137588, 16.711192, 19.119705, 22.56215, 26.259493, 29.155081, 34.479028, 37.80922, 42.412745, 47.192644, 50.858847, 50.909201, 54.832001, 60.199693, 65.710058, 69.904352];

describe('gaussianBlurPlane', () => {
  it('equals scipy with reflected edges (truncate 4) and with nearest edges (truncate 3)', () => {
    const reflect = gaussianBlurPlane(input, 5, 4, 1, 'reflect', 4);
    const nearest = gaussianBlurPlane(input, 5, 4, 1, 'nearest', 3);
    SCIPY_REFLECT_T4.forEach((v, i) => expect(reflect[i]).toBeCloseTo(v, 4));
    SCIPY_NEAREST_T3.forEach((v, i) => expect(nearest[i]).toBeCloseTo(v, 4));
  });

  it('sigma 0 returns the input untouched', () => {
    expect(gaussianBlurPlane(input, 5, 4, 0)).toBe(input);
  });
});
