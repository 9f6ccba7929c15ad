/** README's method table is generated from the descriptors; this fails when someone forgot `npm run docs:methods`. */
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { METHOD_IDS } from '../../../src/engine/explain/registry';
import { README, withTable } from '../../../tools/method-table';

describe('README method table', () => {
  it('is current (run `npm run docs:methods` after changing a descriptor)', () => {
    const readme = fs.readFileSync(README, 'utf8');
    expect(readme).toBe(withTable(readme));
  });

  it('has a row for every registered method', () => {
    const readme = fs.readFileSync(README, 'utf8');
    for (const id of METHOD_IDS) expect(readme, id).toContain(`| \`${id}\` |`);
  });
});
