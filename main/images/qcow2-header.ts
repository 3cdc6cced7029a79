/**
 * Reads a qcow2 (or qcow v1) header ourselves, so an image whose backing file or external data
 * file points at a host file is refused before qemu-img opens it. Layout: docs/interop/qcow2.txt
 * in QEMU's source; all fields are big-endian.
 */

export type Qcow2Header = {
  version: number;
  virtualSize: number;
  clusterBits: number;
  /** The backing file name as stored (maybe relative to the image's directory), or null. */
  backingFile: string | null;
  backingFormat: string | null;
  /** The external data file name (header extension 'DATA'), or null. */
  dataFile: string | null;
  /** Incompatible feature bit 2: the guest data lives in another file. */
  externalDataBit: boolean;
  /** Incompatible feature bit 1: qemu found the metadata inconsistent and marked it. */
  corruptBit: boolean;
  encrypted: boolean;
  /** Offsets and sizes of the tables qemu reads at open, for a truncation check. */
  tables: Array<{ what: string; offset: number; bytes: number }>;
};

export class HeaderError extends Error {}

const EXT_END = 0x00000000;
const EXT_BACKING_FORMAT = 0xe2792aca;
const EXT_DATA_FILE = 0x44415441; // 'DATA'

/** Largest backing file name qemu accepts (it refuses longer ones). */
const MAX_NAME = 1023;

/** `head` must hold at least the first cluster (or the whole file if shorter); 64 KiB is safe
 * for the extensions, and the backing file name is read separately through `readAt`. */
export async function parseQcow2Header(
  head: Buffer,
  readAt: (offset: number, length: number) => Promise<Buffer>,
): Promise<Qcow2Header> {
  if (head.length < 72) throw new HeaderError(`the header is cut short (${head.length} bytes)`);
  const version = head.readUInt32BE(4);
  const backingOffset = readU64(head, 8);
  const backingSize = head.readUInt32BE(16);
  if (version === 1) {
    // qcow v1: only the backing fields matter to us; GenOS does not run qcow v1 images.
    return {
      version,
      virtualSize: readU64(head, 24),
      clusterBits: head.readUInt8(32),
      backingFile: backingOffset ? await readName(readAt, backingOffset, backingSize) : null,
      backingFormat: null,
      dataFile: null,
      externalDataBit: false,
      corruptBit: false,
      encrypted: head.readUInt32BE(36) !== 0,
      tables: [],
    };
  }
  if (version !== 2 && version !== 3) throw new HeaderError(`unknown qcow2 version ${version}`);
  const clusterBits = head.readUInt32BE(20);
  if (clusterBits < 9 || clusterBits > 21) {
    throw new HeaderError(`invalid cluster size 2^${clusterBits}`);
  }
  const clusterSize = 2 ** clusterBits;
  const virtualSize = readU64(head, 24);
  const encrypted = head.readUInt32BE(32) !== 0;
  const l1Size = head.readUInt32BE(36);
  const l1Offset = readU64(head, 40);
  const refcountOffset = readU64(head, 48);
  const refcountClusters = head.readUInt32BE(56);

  let incompatible = 0n;
  let headerLength = 72;
  if (version === 3) {
    if (head.length < 104)
      throw new HeaderError(`the v3 header is cut short (${head.length} bytes)`);
    incompatible = head.readBigUInt64BE(72);
    headerLength = head.readUInt32BE(100);
    if (headerLength < 104 || headerLength > clusterSize) {
      throw new HeaderError(`invalid header length ${headerLength}`);
    }
  }

  // Header extensions run from the end of the header to the end of the first cluster (or to the
  // backing file name, if that comes first), as qemu reads them.
  let extEnd = Math.min(clusterSize, head.length);
  if (backingOffset && backingOffset < extEnd) extEnd = backingOffset;
  let backingFormat: string | null = null;
  let dataFile: string | null = null;
  for (let at = headerLength; at + 8 <= extEnd;) {
    const type = head.readUInt32BE(at);
    const len = head.readUInt32BE(at + 4);
    at += 8;
    if (type === EXT_END) break;
    if (len > extEnd - at)
      throw new HeaderError(`header extension 0x${type.toString(16)} overruns the header`);
    const data = head.subarray(at, at + len);
    if (type === EXT_BACKING_FORMAT) backingFormat = data.toString('latin1');
    if (type === EXT_DATA_FILE) dataFile = data.toString('latin1');
    at += Math.ceil(len / 8) * 8;
  }

  const backingFile = backingOffset ? await readName(readAt, backingOffset, backingSize) : null;
  const tables = [
    { what: 'L1 table', offset: l1Offset, bytes: l1Size * 8 },
    { what: 'refcount table', offset: refcountOffset, bytes: refcountClusters * clusterSize },
  ];
  return {
    version,
    virtualSize,
    clusterBits,
    backingFile,
    backingFormat,
    dataFile,
    externalDataBit: (incompatible & 4n) !== 0n,
    corruptBit: (incompatible & 2n) !== 0n,
    encrypted,
    tables,
  };
}

/** Tables that lie (partly) past the end of the file: a truncated image. */
export function tablesPastEnd(h: Qcow2Header, fileSize: number): string[] {
  return h.tables
    .filter((t) => t.bytes > 0 && t.offset + t.bytes > fileSize)
    .map((t) => `${t.what} at ${t.offset} (+${t.bytes} bytes)`);
}

function readU64(buf: Buffer, at: number): number {
  const v = buf.readBigUInt64BE(at);
  // Above 2^53 no real file or disk is meant; treat it as invalid rather than lose precision.
  if (v > BigInt(Number.MAX_SAFE_INTEGER))
    throw new HeaderError(`field at byte ${at} is out of range`);
  return Number(v);
}

async function readName(
  readAt: (offset: number, length: number) => Promise<Buffer>,
  offset: number,
  size: number,
): Promise<string> {
  if (size === 0 || size > MAX_NAME)
    throw new HeaderError(`invalid backing file name length ${size}`);
  const buf = await readAt(offset, size);
  if (buf.length < size)
    throw new HeaderError('the backing file name lies past the end of the file');
  return buf.toString('latin1');
}
