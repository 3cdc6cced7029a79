/**
 * `genos compose`: a prompt -> a spec, offline. Readable by default, `--json` for one object,
 * `--jsonl` for a stream of {"prompt": ...} lines on stdin (one answer per line, in order; a bad
 * line gets an {"error"} answer and the stream goes on).
 */
import os from 'node:os';
import readline from 'node:readline';
import { compose, type ComposeOptions } from '../composer/compose.js';
import { formatSummary } from '../composer/summary.js';

export type ComposeArgs = { prompt: string | null; json: boolean; jsonl: boolean };
export type ComposeIo = {
  stdin: NodeJS.ReadableStream;
  out: NodeJS.WritableStream;
  err: NodeJS.WritableStream;
};

/** This machine's CPUs and RAM, so requests are clamped as the app would clamp them. */
export function localHost(): NonNullable<ComposeOptions['host']> {
  return { cpuCount: os.availableParallelism(), memoryMiB: Math.floor(os.totalmem() / 1048576) };
}

/** One line of --jsonl input -> one line of output. */
export function answerLine(line: string, lineNo: number, opts: ComposeOptions = {}): string {
  let input: unknown;
  try {
    input = JSON.parse(line);
  } catch {
    return JSON.stringify({ error: `line ${lineNo}: not JSON; expected {"prompt": "..."}` });
  }
  if (
    typeof input !== 'object' ||
    input === null ||
    Array.isArray(input) ||
    typeof (input as { prompt?: unknown }).prompt !== 'string'
  ) {
    return JSON.stringify({
      error: `line ${lineNo}: expected {"prompt": "..."} with a string prompt`,
    });
  }
  return JSON.stringify(compose((input as { prompt: string }).prompt, opts));
}

/** Writes and waits when the stream is full, so a slow reader does not buffer everything. */
function write(out: NodeJS.WritableStream, text: string): Promise<void> | void {
  if (!out.write(text)) return new Promise((resolve) => out.once('drain', () => resolve()));
}

async function runJsonl(io: ComposeIo, opts: ComposeOptions): Promise<number> {
  const rl = readline.createInterface({ input: io.stdin, crlfDelay: Infinity });
  let lineNo = 0;
  for await (const raw of rl) {
    lineNo++;
    const line = raw.trim();
    if (line.length === 0) continue; // blank lines carry no prompt; skipping keeps files tidy
    await write(io.out, answerLine(line, lineNo, opts) + '\n');
  }
  return 0;
}

export async function runCompose(
  args: ComposeArgs,
  io: ComposeIo,
  opts: ComposeOptions = { host: localHost() },
): Promise<number> {
  if (args.jsonl) {
    if (args.prompt !== null) {
      io.err.write('genos compose: --jsonl reads prompts from stdin; drop the prompt argument.\n');
      return 2;
    }
    return runJsonl(io, opts);
  }
  const result = compose(args.prompt ?? '', opts);
  if (args.json) await write(io.out, JSON.stringify(result) + '\n');
  else if ('error' in result) io.err.write(`genos compose: ${result.error}\n`);
  else await write(io.out, formatSummary(result));
  return 'error' in result ? 1 : 0;
}
