import fs from 'node:fs/promises';
import path from 'node:path';
import { GenosError } from '../core/errors.js';
import {
  defaultRunner,
  INSPECT_LIMITS,
  INSPECT_TIMEOUT_MS,
  runFailure,
  stderrSummary,
  type QemuImgRunner,
} from './qemu-img.js';
import { checkBeforeQemu, checkInfoRefs, corrupt, type QemuImgInfo } from './safety.js';
import type { Sniffed } from './sniff.js';
import {
  DEFAULT_LIMITS,
  qemuFormat,
  type ImageFormat,
  type ImageLibrary,
  type ImageLimits,
} from './types.js';

/**
 * What an image is, decided once at import: our header checks first, then `qemu-img info
 * --output=json` (with -f when the format is stated, probing only when it is not), then
 * `qemu-img check` for formats with metadata (info alone accepts a truncated qcow2).
 */

export type InspectOptions = {
  /** The format the user stated, or the one recorded at import. Never re-probed when given. */
  format?: ImageFormat;
  library: ImageLibrary;
  limits?: ImageLimits;
  /** Run qemu-img check on qcow2/vdi/vhdx/vmdk (default true). */
  check?: boolean;
  runner?: QemuImgRunner;
  signal?: AbortSignal;
};

export type ImageInfo = {
  path: string;
  format: ImageFormat;
  /** 'stated' when the caller gave the format; 'probed' when qemu-img detected it here. */
  detectedBy: 'stated' | 'probed';
  virtualSize: number;
  /** Bytes the file occupies on disk (sparse files less than their length). */
  actualSize: number;
  /** Resolved files the image makes qemu open (backing, data file, extents); all in the library. */
  refs: string[];
  /** Things worth telling the user that do not stop the import. */
  warnings: string[];
};

const CHECKED: ReadonlySet<ImageFormat> = new Set(['qcow2', 'vdi', 'vhdx', 'vmdk']);

/** What qemu should call a file our sniffing recognised; undefined: no expectation. */
const EXPECTED: Partial<Record<Sniffed, string>> = {
  qcow2: 'qcow2',
  vdi: 'vdi',
  vhdx: 'vhdx',
  'vmdk-sparse': 'vmdk',
  'vmdk-descriptor': 'vmdk',
  iso: 'raw',
};

export async function inspectImage(file: string, opts: InspectOptions): Promise<ImageInfo> {
  const abs = path.resolve(file);
  const runner = opts.runner ?? defaultRunner;
  const limits = opts.limits ?? DEFAULT_LIMITS;
  const pre = await checkBeforeQemu(abs, opts.format, opts.library, limits);

  const fmtArgs = opts.format ? ['-f', qemuFormat(opts.format)] : [];
  const res = await runner(['info', '--output=json', ...fmtArgs, abs], {
    signal: opts.signal,
    timeoutMs: INSPECT_TIMEOUT_MS,
    limits: INSPECT_LIMITS,
  });
  if (res.code !== 0) {
    const err = runFailure(res, 'read', abs, INSPECT_LIMITS);
    if (err.code === 'BAD_ARGS') {
      throw corrupt(abs, `qemu-img cannot open it (${stderrSummary(res.stderr) || 'no detail'})`);
    }
    throw err;
  }
  const info = parseInfo(res.stdout, abs);

  let format: ImageFormat;
  if (opts.format) {
    format = opts.format;
  } else {
    format = mapProbed(abs, info.format, pre.sniffed);
  }
  await checkInfoRefs(abs, info, opts.library);
  if (info['format-specific']?.data?.corrupt === true) {
    throw corrupt(abs, 'qemu marked this image corrupt');
  }
  if (info['virtual-size'] > limits.maxVirtualSize) {
    throw new GenosError(
      'BAD_ARGS',
      `Refused ${abs}: its virtual size of ${info['virtual-size']} bytes is beyond the limit of ` +
        `${limits.maxVirtualSize} bytes. Raise the image size limit in Settings if it is meant.`,
    );
  }

  const warnings: string[] = [];
  if (opts.check !== false && CHECKED.has(format)) {
    warnings.push(...(await checkImage(abs, format, runner, opts.signal)));
  }
  let actualSize = info['actual-size'];
  if (actualSize === undefined) {
    const st = await fs.stat(abs);
    actualSize = st.blocks * 512;
  }
  return {
    path: abs,
    format,
    detectedBy: opts.format ? 'stated' : 'probed',
    virtualSize: info['virtual-size'],
    actualSize,
    refs: pre.refs,
    warnings,
  };
}

function parseInfo(stdout: string, file: string): QemuImgInfo {
  try {
    const info = JSON.parse(stdout) as QemuImgInfo;
    if (typeof info.format === 'string' && typeof info['virtual-size'] === 'number') return info;
  } catch {
    // fall through
  }
  throw new GenosError('INTERNAL', `qemu-img info printed something unexpected for ${file}.`);
}

function mapProbed(file: string, probed: string, sniffed: Sniffed): ImageFormat {
  const expected = EXPECTED[sniffed];
  // Our reading and qemu's must agree; if they do not, our header checks may have looked at the
  // wrong format, so nothing is accepted on that basis.
  if (expected !== undefined && expected !== probed) {
    throw new GenosError(
      'BAD_ARGS',
      `Refused ${file}: qemu-img takes it for ${probed}, but its header looks like ${expected}. ` +
        'State the format explicitly if you know it.',
    );
  }
  if (probed === 'raw') return sniffed === 'iso' ? 'iso' : 'raw';
  if (probed === 'qcow2' || probed === 'vdi' || probed === 'vhdx' || probed === 'vmdk') {
    return probed;
  }
  throw new GenosError(
    'UNSUPPORTED',
    `${file} is a ${probed} image, which GenOS does not run (it supports qcow2, raw, vdi, vhdx, ` +
      'vmdk and ISO). Convert it to qcow2 with a tool you trust first.',
  );
}

type CheckJson = { corruptions?: number; leaks?: number; 'check-errors'?: number };

/** `qemu-img check`: exit 0 clean, 2 corrupt, 3 leaked clusters only, 63 not supported. */
async function checkImage(
  file: string,
  format: ImageFormat,
  runner: QemuImgRunner,
  signal?: AbortSignal,
): Promise<string[]> {
  const limits = { ...INSPECT_LIMITS, cpuSeconds: 120 };
  const res = await runner(['check', '--output=json', '-f', qemuFormat(format), file], {
    signal,
    timeoutMs: 5 * INSPECT_TIMEOUT_MS,
    limits,
  });
  if (res.code === 63) return []; // the driver has no check; info already opened it fine
  let json: CheckJson = {};
  try {
    json = JSON.parse(res.stdout) as CheckJson;
  } catch {
    // exit 1 prints no JSON; handled below
  }
  if (res.code === 0) return [];
  if (res.code === 3) {
    return [`${json.leaks ?? 'some'} leaked clusters (harmless wasted space)`];
  }
  if (res.code === 2 || (json.corruptions ?? 0) > 0) {
    const detail = stderrSummary(res.stderr).replace(/^ERROR:? */, '');
    throw corrupt(
      file,
      `qemu-img check found ${json.corruptions ?? 'some'} corruptions${detail ? ` (${detail})` : ''}`,
    );
  }
  const err = runFailure(res, 'check', file, limits);
  if (err.code === 'BAD_ARGS')
    throw corrupt(file, `qemu-img check failed (${stderrSummary(res.stderr)})`);
  throw err;
}
