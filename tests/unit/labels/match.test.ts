/**
 * Matching a class across models by name (labels/match.ts): the exact name wins over looser matches, then the name
 * ignoring case, then normalised names (underscores, hyphens, spaces, WordNet synonyms after commas); no labels or
 * no such name is "none", so the user picks the class.
 */
import { describe, expect, it } from 'vitest';
import { matchTarget, normaliseLabel } from '../../../src/engine/labels/match';

describe('matchTarget', () => {
  it('finds the exact name at its own index in each list (class orders differ between models)', () => {
    expect(matchTarget('star', ['circle', 'square', 'triangle', 'star'])).toEqual({ index: 3, how: 'exact' });
    expect(matchTarget('star', ['star', 'circle'])).toEqual({ index: 0, how: 'exact' });
  });

  it('prefers the exact name over a case-insensitive one, and that over a normalised one', () => {
    expect(matchTarget('Star', ['star', 'Star'])).toEqual({ index: 1, how: 'exact' });
    expect(matchTarget('STAR', ['circle', 'Star'])).toEqual({ index: 1, how: 'case-insensitive' });
    expect(matchTarget('star_shape', ['Star-Shape', 'star shape'])).toEqual({ index: 0, how: 'normalised' });
  });

  it('normalises case, underscores, hyphens and spaces', () => {
    expect(normaliseLabel('  Great_White--Shark  ')).toBe('great white shark');
    expect(matchTarget('great white shark', ['tench', 'Great_White_Shark'])).toEqual({ index: 1, how: 'normalised' });
    expect(matchTarget('tiger-cat', ['tabby', 'tiger cat'])).toEqual({ index: 1, how: 'normalised' });
  });

  it('reads WordNet-style synonyms after commas, in either list', () => {
    const imagenet = ['tench, Tinca tinca', 'goldfish, Carassius auratus', 'tabby, tabby cat', 'tiger cat'];
    expect(matchTarget('tabby', imagenet)).toEqual({ index: 2, how: 'normalised' });
    expect(matchTarget('tabby cat', imagenet)).toEqual({ index: 2, how: 'normalised' });
    expect(matchTarget('goldfish', imagenet)).toEqual({ index: 1, how: 'normalised' });
    expect(matchTarget('tabby, tabby cat', ['dog', 'tabby'])).toEqual({ index: 1, how: 'normalised' });
    // a synonym does not make "tiger cat" match "tabby cat": only whole names after commas count
    expect(matchTarget('cat', imagenet)).toEqual({ how: 'none' });
  });

  it('a whole normalised name beats a shared synonym', () => {
    expect(matchTarget('tabby, tabby cat', ['tabby cat', 'Tabby, Tabby_Cat'])).toEqual({ index: 1, how: 'normalised' });
  });

  it('says "none" when the model has no labels, no such name, or the name is empty', () => {
    expect(matchTarget('star', undefined)).toEqual({ how: 'none' });
    expect(matchTarget('star', [])).toEqual({ how: 'none' });
    expect(matchTarget('star', ['circle', 'square'])).toEqual({ how: 'none' });
    expect(matchTarget('  ', ['circle', ' '])).toEqual({ how: 'none' });
  });
});
