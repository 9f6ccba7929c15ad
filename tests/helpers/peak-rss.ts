/**
 * A child Node process's peak resident set size, measured from inside it: `--import` of a preload that, at exit,
 * writes process.resourceUsage().maxRSS (KiB) to the file named by GLASSBOX_MAX_RSS_FILE. Portable (no
 * /usr/bin/time), and it counts only the child: the TypeScript loader and the CLI, not the test runner.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const ROOT = path.resolve(import.meta.dirname, '../..');
const PRELOAD = `data:text/javascript,${encodeURIComponent(
  "import fs from 'node:fs'; process.on('exit', () => { const f = process.env.GLASSBOX_MAX_RSS_FILE; if (f) fs.writeFileSync(f, String(process.resourceUsage().maxRSS)); });",
)}`;

export interface ChildRun {
  code: number;
  stdout: string;
  stderr: string;
  /** Peak resident set size of the child, in MiB. */
  peakRssMiB: number;
  wallMs: number;
}

/**
 * Run `npx tsx <script> ...args` (as node --import tsx) from the repository root and measure its peak RSS.
 * `nodeFlags` go to node before the script (V8 options such as --liftoff-only).
 */
export function runTsWithPeakRss(script: string, args: string[], options: { timeoutMs?: number; nodeFlags?: string[] } = {}): Promise<ChildRun> {
  const rssFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'glassbox-rss-')), 'max-rss');
  const started = performance.now();
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [...(options.nodeFlags ?? []), '--import', 'tsx', '--import', PRELOAD, script, ...args],
      { cwd: ROOT, env: { ...process.env, GLASSBOX_MAX_RSS_FILE: rssFile }, maxBuffer: 256 * 1024 * 1024, timeout: options.timeoutMs ?? 0 },
      (error, stdout, stderr) => {
        const kib = fs.existsSync(rssFile) ? Number(fs.readFileSync(rssFile, 'utf8')) : NaN;
        fs.rmSync(path.dirname(rssFile), { recursive: true, force: true });
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        resolve({ code, stdout, stderr, peakRssMiB: kib / 1024, wallMs: performance.now() - started });
      },
    );
  });
}
