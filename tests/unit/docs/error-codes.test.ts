/** README's error-code table documents exactly the codes the engine can raise (plus INTERNAL for bugs). */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { serializeError } from '../../../src/engine/errors';

const ROOT = path.resolve(import.meta.dirname, '../../..');

describe('error codes', () => {
  it('README lists every ErrorCode and no other', () => {
    const source = fs.readFileSync(path.join(ROOT, 'src/engine/errors.ts'), 'utf8');
    const union = /export type ErrorCode =([^;]+);/.exec(source)![1];
    const codes = [...union.matchAll(/'([A-Z_]+)'/g)].map((m) => m[1]).concat('INTERNAL').sort();
    const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
    const table = readme.slice(readme.indexOf('| code | when |'));
    const rows = table.slice(0, table.indexOf('\n\n')).split('\n').slice(2);
    const documented = rows.flatMap((r) => [...r.split('|')[1].matchAll(/`([A-Z_]+)`/g)].map((m) => m[1])).sort();
    expect(documented).toEqual(codes);
  });

  it('an unexpected failure is INTERNAL with a plain first line; its own text only in the detail', () => {
    const e = serializeError(new TypeError("Cannot read properties of undefined (reading 'dims')"));
    expect(e).toMatchObject({ code: 'INTERNAL', message: 'Glassbox stopped on an unexpected error.', detail: "TypeError: Cannot read properties of undefined (reading 'dims')" });
    expect(serializeError('ERROR_CODE: 1, ERROR_MESSAGE: bad').message).not.toMatch(/ERROR_CODE/);
  });
});
