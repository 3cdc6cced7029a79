/**
 * Reads back the root directory of a small ISO9660 volume (ours or genisoimage's): the label and
 * the files with their contents. Joliet names are used when the volume has them (as Linux
 * does); otherwise primary names are shown the way Linux's isofs maps them (lowercased, ";1" and
 * a trailing "." removed). Rock Ridge is not interpreted. For checking seeds, not for general use.
 */
export type IsoVolume = { label: string; joliet: boolean; files: Map<string, Buffer> };

const SECTOR = 2048;

export function readIso(img: Buffer): IsoVolume {
  let primary: Buffer | null = null;
  let joliet: Buffer | null = null;
  for (let s = 16; s < 32 && (s + 1) * SECTOR <= img.length; s++) {
    const vd = img.subarray(s * SECTOR, (s + 1) * SECTOR);
    if (vd.toString('ascii', 1, 6) !== 'CD001')
      throw new Error(`sector ${s} is not a volume descriptor`);
    if (vd[0] === 255) break;
    if (vd[0] === 1) primary = vd;
    const esc = vd.toString('ascii', 88, 91);
    if (vd[0] === 2 && (esc === '%/@' || esc === '%/C' || esc === '%/E')) joliet = vd;
  }
  if (!primary) throw new Error('no primary volume descriptor: not an ISO9660 volume');
  const vd = joliet ?? primary;
  const label = joliet
    ? decodeUcs2(vd.subarray(40, 72)).trimEnd()
    : vd.toString('ascii', 40, 72).trimEnd();
  const rootExtent = vd.readUInt32LE(156 + 2);
  const rootSize = vd.readUInt32LE(156 + 10);
  const files = new Map<string, Buffer>();
  const dir = img.subarray(rootExtent * SECTOR, rootExtent * SECTOR + rootSize);
  for (let off = 0; off < dir.length;) {
    const len = dir[off]!;
    if (len === 0) {
      off = (Math.floor(off / SECTOR) + 1) * SECTOR; // records never cross a sector
      continue;
    }
    const r = dir.subarray(off, off + len);
    off += len;
    const idLen = r[32]!;
    const id = r.subarray(33, 33 + idLen);
    if (idLen === 1 && (id[0] === 0 || id[0] === 1)) continue;
    if (r[25]! & 2) continue; // subdirectories are not needed for a seed
    const name = joliet ? decodeUcs2(id).replace(/;1$/, '') : linuxName(id.toString('ascii'));
    const extent = r.readUInt32LE(2);
    const size = r.readUInt32LE(10);
    files.set(name, Buffer.from(img.subarray(extent * SECTOR, extent * SECTOR + size)));
  }
  return { label, joliet: !!joliet, files };
}

function decodeUcs2(b: Buffer): string {
  let s = '';
  for (let i = 0; i + 1 < b.length; i += 2) s += String.fromCharCode(b.readUInt16BE(i));
  return s;
}

/** What Linux shows for a primary-tree name without Rock Ridge (mount option map=normal). */
export function linuxName(id: string): string {
  return id.replace(/;1$/, '').replace(/\.$/, '').toLowerCase();
}
