/**
 * The main thread's bundle (the entry and its static imports) holds the method descriptors but no explainer code:
 * the registry's loaders are dynamic imports that only the worker (and the CLI) follow. Checked on the production build that the browser tests use.
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

  /** The entry and every chunk it imports statically, transitively: what the page loads before any click. */
  const staticGraph = (start: string): string[] => {
    const seen = new Set<string>();
    const visit = (f: string) => {
      if (seen.has(f)) return;
      seen.add(f);
      // static imports only (`import … from "./x.js"`, `import "./x.js"`), not import("./x.js")
      for (const m of read(f).matchAll(/(?:from|import)\s*"\.\/([^"]+\.js)"/g)) visit(m[1]);
    };
    visit(start);
    return [...seen];
  };

  it('the page loads the descriptors (labels, how to read) but no explainer code', () => {
    expect(entry).toBeDefined();
    const loaded = staticGraph(entry!);
    const main = loaded.map(read).join('\n');
    expect(main).toContain('Integrated Gradients');
    expect(main).toContain('Owen values over a hierarchy');
    for (const m of MARKERS) {
      // the marker is real: some chunk of that module has it …
      expect(files.some((f) => f.startsWith(`${m.module}-`) && read(f).includes(m.text)), `${m.module} has "${m.text}"`).toBe(true);
      // … and nothing the page loads up front does
      expect(main.includes(m.text), `the page's static imports (${loaded.join(', ')}) contain "${m.text}"`).toBe(false);
    }
  });
});
