/**
 * The hostile-input corpus (tests/corpus/hostile.json) through the CLI: every case runs as its own child process
 * (two at a time), and must exit with its code, print `error [CODE]: message` as the first line of stderr and no
 * stack trace (or, for an accepted input, a prediction and exactly its warnings), within the corpus's wall-time
 * and peak-RSS ceilings, measured on the child alone.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generate, GENERATOR_NAMES, loadHostileCorpus, RUN_RUNAWAYS, type HostileCase } from '../corpus/generators';
import { runTsWithPeakRss, type ChildRun } from '../helpers/peak-rss';

const ROOT = path.resolve(import.meta.dirname, '../..');
const corpus = loadHostileCorpus();
const cliCases = corpus.cases.filter((c) => c.surfaces.includes('cli'));
/** The cases this run starts: runaways only when asked for. */
const started = cliCases.filter((c) => !c.runaway || RUN_RUNAWAYS);
/** The error codes src/engine/errors.ts documents (its ErrorCode union), read from the source. */
const DOCUMENTED_CODES = new Set([...fs.readFileSync(path.join(ROOT, 'src/engine/errors.ts'), 'utf8').matchAll(/^\s+\| '([A-Z_]+)'/gm)].map((m) => m[1]));
const CONCURRENCY = Number(process.env.GLASSBOX_HOSTILE_CONCURRENCY ?? 2);

let dir: string;
type CaseRun = { run: ChildRun; input: string };
const runs = new Map<string, Promise<CaseRun>>();

/** Write the case's input (if any) into its own folder and run the CLI on it. */
async function runCase(c: HostileCase): Promise<CaseRun> {
  const caseDir = path.join(dir, c.id);
  fs.mkdirSync(caseDir);
  let input = '';
  if (c.input) {
    input = path.join(caseDir, c.input.name);
    fs.writeFileSync(input, await generate(c.input));
  }
  const args = (c.args ?? corpus.defaultArgs[c.kind]).map((a) => fill(a, input));
  // a hang is cut at twice the ceiling; the wall-time assertion then reports it
  const run = await runTsWithPeakRss('src/cli/explain.ts', args, { timeoutMs: 2 * corpus.ceilings.wallSeconds * 1000 });
  return { run, input };
}

function fill(text: string, input: string): string {
  return text
    .replaceAll('$INPUT', input)
    .replaceAll('$DIR', path.dirname(input))
    .replaceAll('$MODEL', corpus.placeholders.$MODEL)
    .replaceAll('$IMAGE', corpus.placeholders.$IMAGE);
}

/**
 * Start the case at `index` of `started` unless it has been: each test starts its own case and the next one, so two
 * children run at a time while the tests (which vitest runs in order) await theirs, and a run filtered with -t
 * starts little more than the cases it selects.
 */
function start(index: number): void {
  const c = started[index];
  if (!c || runs.has(c.id)) return;
  const result = runCase(c);
  result.catch(() => undefined); // reported by the case's own test, not as an unhandled rejection
  runs.set(c.id, result);
}

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'glassbox-hostile-corpus-'));
});
afterAll(async () => {
  await Promise.allSettled(runs.values()); // a case started ahead of a filtered run still owns its folder
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('the hostile-input corpus', () => {
  it('holds at least 60 cases with unique ids, known generators and documented codes', () => {
    expect(corpus.cases.length).toBeGreaterThanOrEqual(60);
    expect(new Set(corpus.cases.map((c) => c.id)).size).toBe(corpus.cases.length);
    for (const c of corpus.cases) {
      if (c.input) expect(GENERATOR_NAMES, c.id).toContain(c.input.generator);
      for (const code of [c.code, c.browser?.code]) if (code) expect(DOCUMENTED_CODES, c.id).toContain(code);
      expect(c.surfaces.length, c.id).toBeGreaterThan(0);
      if (c.code) expect(c.message, c.id).toBeTruthy();
      if (c.runaway) expect(c.knownIssue, c.id).toBeTruthy();
    }
  });
});

describe('hostile inputs through the CLI', () => {
  for (const c of cliCases) {
    const test = c.runaway && !RUN_RUNAWAYS ? it.skip : c.knownIssue ? it.fails : it;
    const title = `${c.id} → ${c.code ? `exit ${c.exit}, ${c.code}` : 'accepted'}${c.knownIssue ? ' (known issue)' : ''}`;
    test(title, async () => {
      const index = started.indexOf(c);
      for (let k = index; k < index + CONCURRENCY; k++) start(k);
      const { run, input } = await runs.get(c.id)!;
      const where = `${c.id}: exit ${run.code}\n${run.stderr.slice(0, 2000)}`;
      expect(run.wallMs, where).toBeLessThanOrEqual(corpus.ceilings.wallSeconds * 1000);
      expect(run.peakRssMiB, where).toBeLessThanOrEqual(corpus.ceilings.peakRssMiB);
      // a stack trace is a crash, whatever the exit code
      expect(run.stderr, where).not.toMatch(/^\s+at .+:\d+:\d+\)?$/m);
      expect(run.code, where).toBe(c.exit);
      const warnings = run.stdout.split('\n').filter((l) => l.startsWith('warning: ')).map((l) => l.slice('warning: '.length));
      if (c.code) {
        expect(run.stderr.split('\n')[0], where).toBe(`error [${c.code}]: ${fill(c.message!, input)}`);
        expect(run.stdout, where).toBe('');
      } else {
        expect(run.stderr, where).toBe('');
        expect(run.stdout, where).toMatch(/^\s+rank\s+index\s+label/m);
        expect(warnings, where).toEqual(c.warning ? [c.warning] : []);
      }
    });
  }
});
