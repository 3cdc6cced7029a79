import fs from 'node:fs/promises';
import path from 'node:path';
import { GenosError } from '../core/errors.js';
import { isInLibrary } from './library.js';
import { DATA_LIMITS, defaultRunner, runFailure, type QemuImgRunner } from './qemu-img.js';
import { checkBeforeQemu } from './safety.js';
import {
  DEFAULT_LIMITS,
  qemuFormat,
  type ImageFormat,
  type ImageLibrary,
  type ImageLimits,
} from './types.js';

/**
 * A per-environment qcow2 overlay on a shared base image: the VM writes only to the overlay, so
 * the base stays pristine and many environments share it. The base is named by its absolute path
 * with its recorded format (-F), so qemu never probes it.
 */

export type OverlayRequest = {
  /** The base image: in the library, or an image imported by reference (library.referenced). */
  base: string;
  baseFormat: ImageFormat;
  /** Where the overlay goes (usually the environment's directory); must not exist. */
  overlay: string;
  library: ImageLibrary;
  /** Virtual size in bytes; default: the base's (a larger one grows the disk). */
  size?: number;
  limits?: ImageLimits;
  signal?: AbortSignal;
  runner?: QemuImgRunner;
};

export type OverlayResult = {
  path: string;
  format: 'qcow2';
  backingFile: string;
  backingFormat: ImageFormat;
};

export async function createOverlay(req: OverlayRequest): Promise<OverlayResult> {
  const overlay = path.resolve(req.overlay);
  const limits = req.limits ?? DEFAULT_LIMITS;
  if (req.baseFormat === 'iso') {
    throw new GenosError(
      'BAD_ARGS',
      'An ISO is attached read-only as a CD-ROM and needs no overlay; create a blank disk instead.',
    );
  }
  let base: string;
  try {
    base = await fs.realpath(path.resolve(req.base));
  } catch {
    throw new GenosError('NOT_FOUND', `The base image ${req.base} does not exist.`);
  }
  if (!(await isInLibrary(base, req.library))) {
    throw new GenosError(
      'BAD_ARGS',
      `The base image ${base} is not in the image library; import it first.`,
    );
  }
  await checkBeforeQemu(base, req.baseFormat, req.library, limits);
  if (req.size !== undefined && (!Number.isSafeInteger(req.size) || req.size <= 0)) {
    throw new GenosError('BAD_ARGS', `The overlay size must be a positive number of bytes.`);
  }
  if (req.size !== undefined && req.size > limits.maxVirtualSize) {
    throw new GenosError(
      'BAD_ARGS',
      `An overlay of ${req.size} bytes is beyond the image size limit of ${limits.maxVirtualSize}.`,
    );
  }
  await fs.mkdir(path.dirname(overlay), { recursive: true });
  if (
    await fs.lstat(overlay).then(
      () => true,
      () => false,
    )
  ) {
    throw new GenosError('CONFLICT', `${overlay} already exists; an overlay is never overwritten.`);
  }

  const runner = req.runner ?? defaultRunner;
  const args = [
    ...['create', '-q', '-f', 'qcow2', '-F', qemuFormat(req.baseFormat), '-b', base, overlay],
    ...(req.size !== undefined ? [String(req.size)] : []),
  ];
  const res = await runner(args, { signal: req.signal, limits: DATA_LIMITS, timeoutMs: 60_000 });
  if (res.code !== 0) {
    await fs.rm(overlay, { force: true });
    throw runFailure(res, 'create an overlay on', base, DATA_LIMITS);
  }
  return { path: overlay, format: 'qcow2', backingFile: base, backingFormat: req.baseFormat };
}
