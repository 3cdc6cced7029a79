import { randomUUID } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { GenosError } from '../core/errors.js';
import { sha256File, throttle, writeSha256File } from './hash.js';
import { DATA_LIMITS, defaultRunner, runFailure, type QemuImgRunner } from './qemu-img.js';
import { checkBeforeQemu } from './safety.js';
import {
  DEFAULT_LIMITS,
  DISK_FORMATS,
  qemuFormat,
  type DiskFormat,
  type ImageFormat,
  type ImageLibrary,
  type ImageLimits,
  type OnProgress,
} from './types.js';

/**
 * Convert/export between qcow2, raw, vdi, vhdx and vmdk with `qemu-img convert -p`, reporting its
 * percentage, cancellable, and writing `<output>.sha256` next to the result. qemu-img writes into
 * a private directory beside the output and the result is moved into place only when complete,
 * so a cancelled or failed run leaves nothing behind and never replaces an existing file. (The
 * directory keeps the output's own file name, which a VMDK records inside itself.)
 */

export type ConvertRequest = {
  source: string;
  /** The recorded format of the source: passed with -f, never probed. */
  sourceFormat: ImageFormat;
  output: string;
  outputFormat: DiskFormat;
  library: ImageLibrary;
  limits?: ImageLimits;
  /** qcow2 only: compress the clusters (smaller, slower to write). */
  compress?: boolean;
  signal?: AbortSignal;
  /** Stage 'convert' in percent (0-100), then stage 'hash' in bytes. */
  onProgress?: OnProgress;
  runner?: QemuImgRunner;
};

export type ConvertResult = {
  path: string;
  format: DiskFormat;
  sha256: string;
  sha256File: string;
  /** Bytes the output occupies on disk. */
  actualSize: number;
};

/** Percentages from `qemu-img convert -p`: "    (12.50/100%)\r". */
export function parseProgress(text: string): number[] {
  return [...text.matchAll(/\((\d+(?:\.\d+)?)\/100%\)/g)].map((m) => Number(m[1]));
}

export async function convertImage(req: ConvertRequest): Promise<ConvertResult> {
  const source = path.resolve(req.source);
  const output = path.resolve(req.output);
  if (!DISK_FORMATS.includes(req.outputFormat)) {
    throw new GenosError(
      'UNSUPPORTED',
      `Cannot convert to "${req.outputFormat}": choose one of ${DISK_FORMATS.join(', ')}.`,
    );
  }
  if (req.compress && req.outputFormat !== 'qcow2') {
    throw new GenosError('BAD_ARGS', 'Compression is only available for qcow2 output.');
  }
  if (source === output) {
    throw new GenosError('BAD_ARGS', 'The output must be a different file from the source.');
  }
  if (await exists(output)) {
    throw new GenosError(
      'CONFLICT',
      `${output} already exists. Choose another file name or delete it first.`,
    );
  }
  await checkBeforeQemu(source, req.sourceFormat, req.library, req.limits ?? DEFAULT_LIMITS);

  const workDir = path.join(path.dirname(output), `.genos-convert-${randomUUID().slice(0, 8)}`);
  try {
    await fs.mkdir(workDir, { mode: 0o700 });
  } catch (e) {
    throw new GenosError(
      'BAD_ARGS',
      `Cannot write into ${path.dirname(output)}: ${(e as Error).message}. Choose a writable folder.`,
    );
  }
  const partial = path.join(workDir, path.basename(output));
  const progress = throttle(req.onProgress);
  const runner = req.runner ?? defaultRunner;
  try {
    const args = [
      ...['convert', '-p', '-f', qemuFormat(req.sourceFormat), '-O', req.outputFormat],
      ...(req.compress ? ['-c'] : []),
      ...[source, partial],
    ];
    progress({ stage: 'convert', done: 0, total: 100 });
    const res = await runner(args, {
      signal: req.signal,
      limits: DATA_LIMITS,
      onStdout: (chunk) => {
        const pcts = parseProgress(chunk);
        const last = pcts.at(-1);
        if (last !== undefined) progress({ stage: 'convert', done: last, total: 100 });
      },
    });
    if (res.code !== 0) throw runFailure(res, 'convert', source, DATA_LIMITS);
    progress({ stage: 'convert', done: 100, total: 100 });

    // link refuses to replace a file that appeared at `output` meanwhile.
    try {
      await fs.link(partial, output);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EEXIST') {
        throw new GenosError('CONFLICT', `${output} appeared while converting; it was left as is.`);
      }
      throw e;
    }
  } finally {
    await fs.rm(workDir, { recursive: true, force: true });
  }

  try {
    const sha256 = await sha256File(output, { signal: req.signal, onProgress: req.onProgress });
    const sumFile = await writeSha256File(output, sha256);
    const st = await fs.stat(output);
    return {
      path: output,
      format: req.outputFormat,
      sha256,
      sha256File: sumFile,
      actualSize: st.blocks * 512,
    };
  } catch (e) {
    // Cancelled while hashing: the export is not finished, so it does not stay.
    await fs.rm(output, { force: true });
    await fs.rm(`${output}.sha256`, { force: true });
    throw e;
  }
}

async function exists(p: string): Promise<boolean> {
  try {
    await fs.lstat(p);
    return true;
  } catch {
    return false;
  }
}
