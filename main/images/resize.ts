import path from 'node:path';
import { GenosError } from '../core/errors.js';
import { inspectImage } from './inspect.js';
import { DATA_LIMITS, defaultRunner, runFailure, type QemuImgRunner } from './qemu-img.js';
import { DEFAULT_LIMITS, type ImageFormat, type ImageLibrary, type ImageLimits } from './types.js';

/**
 * Changes an image's virtual size. qemu-img resizes only qcow2 and raw; growing is safe, while
 * shrinking cuts off whatever the guest stored past the new end, so it needs allowShrink (and the
 * guest's file system shrunk first). The image must not be in use (qemu-img's lock says so).
 */

export type ResizeRequest = {
  path: string;
  format: ImageFormat;
  /** New virtual size in bytes. */
  size: number;
  library: ImageLibrary;
  allowShrink?: boolean;
  limits?: ImageLimits;
  signal?: AbortSignal;
  runner?: QemuImgRunner;
};

export async function resizeImage(req: ResizeRequest): Promise<{ virtualSize: number }> {
  const file = path.resolve(req.path);
  const limits = req.limits ?? DEFAULT_LIMITS;
  if (req.format !== 'qcow2' && req.format !== 'raw') {
    throw new GenosError(
      'UNSUPPORTED',
      `qemu-img cannot resize ${req.format} images. Convert it to qcow2 first, then resize.`,
    );
  }
  if (!Number.isSafeInteger(req.size) || req.size <= 0) {
    throw new GenosError('BAD_ARGS', 'The new size must be a positive number of bytes.');
  }
  if (req.size > limits.maxVirtualSize) {
    throw new GenosError(
      'BAD_ARGS',
      `${req.size} bytes is beyond the image size limit of ${limits.maxVirtualSize} bytes.`,
    );
  }
  const runner = req.runner ?? defaultRunner;
  const before = await inspectImage(file, {
    format: req.format,
    library: req.library,
    limits,
    runner,
    signal: req.signal,
    check: false,
  });
  if (req.size === before.virtualSize) return { virtualSize: before.virtualSize };
  const shrinking = req.size < before.virtualSize;
  if (shrinking && !req.allowShrink) {
    throw new GenosError(
      'BAD_ARGS',
      `Shrinking ${file} from ${before.virtualSize} to ${req.size} bytes would cut off data ` +
        'past the new end. Shrink the guest file system first, then confirm the shrink.',
    );
  }
  const args = [
    ...['resize', '-q', '-f', req.format],
    ...(shrinking ? ['--shrink'] : []),
    ...[file, String(req.size)],
  ];
  const res = await runner(args, { signal: req.signal, limits: DATA_LIMITS, timeoutMs: 120_000 });
  if (res.code !== 0) throw runFailure(res, 'resize', file, DATA_LIMITS);
  return { virtualSize: req.size };
}
