/**
 * The main thread's bundle holds the method descriptors but no explainer code: the registry's loaders are dynamic
 * imports that only the worker (and the CLI) follow. Checked on the production build that the browser tests use.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DIST } from './harness';

const assets = path.join(DIST, 'assets');
const built = fs.existsSync(assets);

/** Phrases that only explainer engine code contains (progress phases), and the module each comes from. */
const MARKERS = [
  { text: 'noisy samples', module: 'gradient-methods' },
  { text: 'integration steps', module: 'gradient-methods' },
  { text: 'ablated', module: 'cam-methods' },
];

describe.skipIf(!built)('bundle split', () => {
  const files = built ? fs.readdirSync(assets).filter((f) => f.endsWith('.js')) : [];
  const read = (f: string) => fs.readFileSync(path.join(assets, f), 'utf8');
  const html = built ? fs.readFileSync(path.join(DIST, 'index.html'), 'utf8') : '';
  const entry = /src="\.\/assets\/([^"]+\.js)"/.exec(html)?.[1];

  it('the page entry holds the descriptors (labels, how to read) but no explainer code', () => {
    expect(entry).toBeDefined();
    const main = read(entry!);
    expect(main).toContain('Integrated Gradients');
    expect(main).toContain('Owen values over a hierarchy');
    for (const m of MARKERS) {
      // the marker is real: some chunk of that module has it …
      expect(files.some((f) => f.startsWith(`${m.module}-`) && read(f).includes(m.text)), `${m.module} has "${m.text}"`).toBe(true);
      // … and the main thread's entry does not
      expect(main.includes(m.text), `main bundle contains "${m.text}"`).toBe(false);
    }
  });
});
