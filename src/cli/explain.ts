/** `npm run explain -- --model M.onnx --image I.png [--top 5] [--json]`: the dashboard's engine, headless. */
import { serializeError, type SerializedError } from '../engine/errors';
import { parseCliArgs, USAGE } from './args';
import { formatTable, predictFile } from './predict-file';

/** The message first, then what to do, then the parser or runtime detail (a multi-line hint is indented under its label). */
function formatError(error: SerializedError): string {
  const block = (label: string, text?: string) => (text ? `${label}: ${text.replace(/\n/g, '\n  ')}\n` : '');
  return `error [${error.code}]: ${error.message}\n${block('hint', error.hint)}${block('detail', error.detail)}`;
}

/**
 * SIGINT/SIGTERM: the running explanation is cancelled (it stops at its next batch) and the CLI exits with 128 + the
 * signal's number (130, 143) after one line on stderr; whatever has not stopped within ~0.7 s is cut short, and a
 * second signal exits at once.
 */
const cancel = { aborted: false };
let stopping: { name: NodeJS.Signals; code: number } | undefined;
let announced = false;
function announceStop(): number {
  if (!stopping) return 0;
  if (!announced) process.stderr.write(`${process.stderr.isTTY ? '\n' : ''}stopped by ${stopping.name}: the run was cancelled.\n`);
  announced = true;
  return stopping.code;
}
for (const [name, code] of [['SIGINT', 130], ['SIGTERM', 143]] as const) {
  process.on(name, () => {
    if (stopping) process.exit(announceStop());
    stopping = { name, code };
    cancel.aborted = true;
    setTimeout(() => process.exit(announceStop()), 700).unref();
  });
}

async function main(argv: string[]): Promise<number> {
  const json = argv.includes('--json');
  try {
    const request = parseCliArgs(argv);
    const showProgress = Boolean(request.explain) && process.stderr.isTTY;
    const result = await predictFile(request, (p) => {
      if (showProgress) process.stderr.write(`\r${p.phase} ${p.done}/${p.total}${p.etaMs !== undefined ? `, ${(p.etaMs / 1000).toFixed(1)} s left` : ''}   `);
    }, cancel);
    if (showProgress) process.stderr.write('\n');
    process.stdout.write((json ? JSON.stringify(result, null, 2) : formatTable(result)) + '\n');
    return 0;
  } catch (e) {
    if (stopping) return announceStop();
    const error = serializeError(e);
    if (error.message === 'help requested') {
      process.stdout.write(USAGE + '\n');
      return 0;
    }
    if (json) process.stdout.write(JSON.stringify({ error }, null, 2) + '\n');
    else process.stderr.write(formatError(error));
    return 2;
  }
}

// Exit once stdout has drained: a large --json result written to a pipe would otherwise be cut off.
main(process.argv.slice(2)).then((result) => {
  const code = stopping ? announceStop() : result;
  process.exitCode = code;
  process.stdout.write('', () => process.exit(code));
});
