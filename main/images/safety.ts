import fs from 'node:fs/promises';
import { GenosError } from '../core/errors.js';
import { checkRef, type RefVerdict } from './library.js';
import { HeaderError, parseQcow2Header, tablesPastEnd, type Qcow2Header } from './qcow2-header.js';
import { fileError, readHead, sniff, type Sniffed } from './sniff.js';
import {
  DEFAULT_LIMITS,
  IMAGE_FORMATS,
  type ImageFormat,
  type ImageLibrary,
  type ImageLimits,
} from './types.js';
import {
  DESCRIPTOR_MAX_BYTES,
  descriptorRefs,
  parentHints,
  PARENT_HINT_BYTES,
  SPARSE_DESC_OFFSET,
  sparseHeader,
} from './vmdk-descriptor.js';

/**
 * The checks that run BEFORE qemu-img is allowed to open a file. qemu-img info opens a VMDK
 * descriptor's extents and a qcow2's external data file (and convert/launch open backing files),
 * so anything that could make qemu open a file outside the image library is refused here, from
 * our own reading of the bytes. Run again on every later use: a file referenced in place can
 * change after import.
 */

export type PreCheck = {
  file: string;
  size: number;
  sniffed: Sniffed;
  qcow2: Qcow2Header | null;
  /** Files the image makes qemu open, resolved; all inside the library. */
  refs: string[];
};

/** qcow2 clusters are at most 2 MiB, and header extensions live in the first cluster. */
const QCOW2_HEAD_BYTES = 2 * 1024 * 1024;

const UNSUPPORTED: Partial<Record<Sniffed, string>> = {
  qcow: "QEMU's old qcow (version 1) format",
  qed: 'QED',
  luks: 'a LUKS-encrypted image',
  vpc: 'VHD (vpc)',
};

const SUPPORTED_LIST = 'qcow2, raw, vdi, vhdx, vmdk and ISO';

/** Backing chains longer than this are refused (and a loop ends here). */
const MAX_CHAIN = 16;

/**
 * `format` is the format the caller will pass with -f (stated by the user or recorded at import);
 * undefined means qemu-img is about to probe, so every format the bytes could be taken for is
 * checked.
 */
export async function checkBeforeQemu(
  file: string,
  format: ImageFormat | undefined,
  library: ImageLibrary,
  limits: ImageLimits = DEFAULT_LIMITS,
  depth = 0,
): Promise<PreCheck> {
  if (depth > MAX_CHAIN) {
    throw new GenosError(
      'BAD_ARGS',
      `Refused ${file}: its backing chain is more than ${MAX_CHAIN} images deep, or circular.`,
    );
  }
  let st;
  try {
    st = await fs.stat(file);
  } catch (e) {
    throw fileError(e, file);
  }
  if (!st.isFile()) {
    throw new GenosError(
      'BAD_ARGS',
      `${file} is not a regular file; GenOS imports image files only.`,
    );
  }
  const base: PreCheck = { file, size: st.size, sniffed: 'unknown', qcow2: null, refs: [] };

  // Raw bytes are never interpreted: nothing in them can name another file.
  if (format === 'raw' || format === 'iso') {
    checkSize(file, st.size, limits, 'file size');
    return base;
  }

  let head = await readHead(file);
  const sniffed = sniff(head);
  base.sniffed = sniffed;

  if (format === undefined) {
    const name = UNSUPPORTED[sniffed];
    if (name) {
      throw new GenosError(
        'UNSUPPORTED',
        `${file} is ${name}, which GenOS does not run (it supports ${SUPPORTED_LIST}). ` +
          'Convert it to qcow2 with a tool you trust first.',
      );
    }
  } else {
    expectSniffed(file, format, sniffed);
  }

  if (sniffed === 'qcow2' || sniffed === 'qcow') {
    if (head.length < Math.min(QCOW2_HEAD_BYTES, st.size)) {
      head = await readHead(file, QCOW2_HEAD_BYTES);
    }
    base.qcow2 = await checkQcow2(file, head, st.size, library, limits, base.refs);
    // The backing image is opened by qemu too: it gets the same checks, down the chain.
    if (base.qcow2.backingFile !== null) {
      const backing = base.refs[0]!;
      const fmt = IMAGE_FORMATS.find((f) => f === base.qcow2?.backingFormat);
      const sub = await checkBeforeQemu(backing, fmt, library, limits, depth + 1);
      base.refs.push(...sub.refs);
    }
  } else if (sniffed === 'vmdk-sparse') {
    await checkSparseVmdk(file, head, st.size, library, base.refs);
  } else if (
    sniffed === 'vmdk-descriptor' ||
    // Stated vmdk and not a binary sparse file: qemu reads it as a descriptor whatever it says.
    format === 'vmdk'
  ) {
    const text = (await readAt(file, 0, Math.min(st.size, DESCRIPTOR_MAX_BYTES))).toString(
      'latin1',
    );
    await checkDescriptorText(file, text, library, base.refs);
  } else if (sniffed === 'iso' || sniffed === 'unknown') {
    checkSize(file, st.size, limits, 'file size');
  }
  return base;
}

function expectSniffed(file: string, format: ImageFormat, sniffed: Sniffed): void {
  const ok: Record<ImageFormat, Sniffed[]> = {
    qcow2: ['qcow2'],
    vdi: ['vdi'],
    vhdx: ['vhdx'],
    vmdk: ['vmdk-sparse', 'vmdk-descriptor', 'unknown'],
    raw: [],
    iso: [],
  };
  if (!ok[format].includes(sniffed)) {
    throw new GenosError(
      'BAD_ARGS',
      `${file} is not a ${format} image (its first bytes do not match the ${format} format). ` +
        'Check the format you chose, or let GenOS detect it.',
    );
  }
}

async function checkQcow2(
  file: string,
  head: Buffer,
  size: number,
  library: ImageLibrary,
  limits: ImageLimits,
  refs: string[],
): Promise<Qcow2Header> {
  let h: Qcow2Header;
  try {
    h = await parseQcow2Header(head, (offset, length) => readAt(file, offset, length));
  } catch (e) {
    if (e instanceof HeaderError)
      throw corrupt(file, `the qcow2 header check failed: ${e.message}`);
    throw e;
  }
  if (h.backingFile !== null) {
    const v = await checkRef(h.backingFile, file, library);
    if (!v.ok)
      throw refused(file, `its qcow2 header names the backing file "${h.backingFile}"`, v, library);
    refs.push(v.resolved);
  }
  if (h.dataFile !== null) {
    const v = await checkRef(h.dataFile, file, library);
    if (!v.ok) {
      throw refused(
        file,
        `its qcow2 header names the external data file "${h.dataFile}"`,
        v,
        library,
      );
    }
    refs.push(v.resolved);
  } else if (h.externalDataBit) {
    throw new GenosError(
      'BAD_ARGS',
      `Refused ${file}: the qcow2 header check found that its data lives in an external data ` +
        'file it does not name. Import a standalone image instead.',
    );
  }
  if (h.encrypted) {
    throw new GenosError(
      'UNSUPPORTED',
      `${file} is an encrypted qcow2 image; GenOS cannot open encrypted images. Decrypt it first.`,
    );
  }
  if (h.corruptBit) {
    throw corrupt(file, 'qemu marked this qcow2 image corrupt');
  }
  if (h.version >= 2) {
    const past = tablesPastEnd(h, size);
    if (past.length > 0) {
      throw corrupt(
        file,
        `it is truncated: the ${past.join(' and ')} lie past the end of the file (${size} bytes)`,
      );
    }
  }
  checkSize(file, h.virtualSize, limits, 'virtual size');
  return h;
}

async function checkDescriptorText(
  file: string,
  text: string,
  library: ImageLibrary,
  refs: string[],
  where = 'VMDK descriptor',
): Promise<void> {
  const { extents, parents } = descriptorRefs(text);
  const named = [
    ...extents.filter((e) => e !== '').map((e) => ({ name: e, what: 'extent' })),
    ...parents.map((p) => ({ name: p, what: 'parent image' })),
  ];
  for (const { name, what } of named) {
    const v = await checkRef(name, file, library);
    if (!v.ok) throw refused(file, `its ${where} names the ${what} "${name}"`, v, library);
    refs.push(v.resolved);
  }
}

/** A binary sparse VMDK: its embedded descriptor counts only where qemu reads it. */
async function checkSparseVmdk(
  file: string,
  head: Buffer,
  size: number,
  library: ImageLibrary,
  refs: string[],
): Promise<void> {
  const h = sparseHeader(head);
  if (h && h.capacity === 0n && h.descOffset !== 0n) {
    const at = h.descOffset * 512n;
    if (at < BigInt(size)) {
      const len = Math.min(size - Number(at), DESCRIPTOR_MAX_BYTES);
      const text = (await readAt(file, Number(at), len)).toString('latin1').split('\0')[0]!;
      await checkDescriptorText(file, text, library, refs, 'embedded VMDK descriptor');
    }
  }
  const hintText = (await readAt(file, SPARSE_DESC_OFFSET, PARENT_HINT_BYTES))
    .toString('latin1')
    .split('\0')[0]!;
  for (const name of parentHints(hintText)) {
    const v = await checkRef(name, file, library);
    if (!v.ok) {
      throw refused(
        file,
        `its embedded VMDK descriptor names the parent image "${name}"`,
        v,
        library,
      );
    }
    refs.push(v.resolved);
  }
}

function checkSize(file: string, bytes: number, limits: ImageLimits, what: string): void {
  if (bytes > limits.maxVirtualSize) {
    throw new GenosError(
      'BAD_ARGS',
      `Refused ${file}: its ${what} of ${gib(bytes)} is beyond the limit of ` +
        `${gib(limits.maxVirtualSize)}. Raise the image size limit in Settings if it is meant.`,
    );
  }
}

function refused(file: string, what: string, v: RefVerdict, library: ImageLibrary): GenosError {
  if (v.ok) throw new Error('refused() called with an accepted reference');
  const why =
    v.reason === 'protocol'
      ? 'which is a network or pseudo-protocol address, not a file'
      : v.reason === 'missing'
        ? `which does not exist (${v.resolved})`
        : `which is outside the image library (${library.dir})`;
  return new GenosError(
    'BAD_ARGS',
    `Refused ${file}: ${what}, ${why}. GenOS never lets an image make QEMU open files outside ` +
      'its library. Import that file into GenOS first, or convert the image to a standalone ' +
      'file with a tool you trust.',
  );
}

export function corrupt(file: string, detail: string): GenosError {
  return new GenosError(
    'BAD_ARGS',
    `${file} is damaged or not a valid image: ${detail}. Use an intact copy of the image.`,
  );
}

async function readAt(file: string, offset: number, length: number): Promise<Buffer> {
  const fh = await fs.open(file, 'r');
  try {
    const buf = Buffer.alloc(length);
    const { bytesRead } = await fh.read(buf, 0, length, offset);
    return buf.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
}

function gib(bytes: number): string {
  return `${(bytes / 1024 ** 3).toFixed(bytes < 1024 ** 3 ? 3 : 1)} GiB`;
}

/**
 * The same rule applied to what qemu-img info reported, as a second line of defence: any backing
 * file, data file or extent it lists must be inside the library too.
 */
export async function checkInfoRefs(
  file: string,
  info: QemuImgInfo,
  library: ImageLibrary,
): Promise<void> {
  const named: Array<{ name: string; what: string }> = [];
  if (info['backing-filename'])
    named.push({ name: info['backing-filename'], what: 'backing file' });
  const data = info['format-specific']?.data;
  if (typeof data?.['data-file'] === 'string') {
    named.push({ name: data['data-file'], what: 'external data file' });
  }
  for (const ext of data?.extents ?? []) {
    if (typeof ext.filename === 'string') named.push({ name: ext.filename, what: 'extent' });
  }
  const self = await fs.realpath(file);
  for (const { name, what } of named) {
    const v = await checkRef(name, file, library);
    if (v.resolved === self) continue; // a sparse VMDK lists itself as its one extent
    if (!v.ok) throw refused(file, `qemu-img reports the ${what} "${name}"`, v, library);
  }
}

/** The parts of `qemu-img info --output=json` GenOS reads. */
export type QemuImgInfo = {
  filename: string;
  format: string;
  'virtual-size': number;
  'actual-size'?: number;
  'dirty-flag'?: boolean;
  'backing-filename'?: string;
  'full-backing-filename'?: string;
  'backing-filename-format'?: string;
  'format-specific'?: {
    type: string;
    data?: {
      'data-file'?: string;
      corrupt?: boolean;
      extents?: Array<{ filename?: string }>;
      [k: string]: unknown;
    };
  };
};
