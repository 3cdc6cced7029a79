import { GenosError } from '../core/errors.js';

/**
 * A small ISO9660 writer for cloud-init seeds: one root directory holding a few short files.
 * Layout (2048-byte sectors): 0-15 system area, 16 primary volume descriptor, 17 Joliet
 * supplementary descriptor, 18 terminator, 19-22 the two path tables of each tree, 23 the
 * primary root directory, 24 the Joliet root directory, then the file data (shared by both
 * trees).
 *
 * Names: the primary tree records "USER-DATA.;1". Strict ISO9660 allows only A-Z 0-9 _ there,
 * but Linux shows such names lowercased with ".;1" stripped ("user-data"), and the Joliet tree
 * (UCS-2, any case) carries the exact lowercase names for every reader that prefers Joliet —
 * Linux does, which is what cloud-init's NoCloud source mounts. The volume label is written as
 * given ("cidata"), as genisoimage -volid does.
 */
export type IsoFile = { name: string; data: Buffer | string };

const SECTOR = 2048;
const ROOT_PRIMARY = 23;
const ROOT_JOLIET = 24;
const FIRST_DATA = 25;
const MAX_TOTAL = 16 * 1024 * 1024;

export function buildIso(volumeId: string, files: IsoFile[], now = new Date()): Buffer {
  if (!/^[A-Za-z0-9_-]{1,16}$/.test(volumeId))
    throw new GenosError('BAD_ARGS', 'The volume label must be 1-16 letters, digits, _ or -.');
  const seen = new Set<string>();
  const items = files.map((f) => {
    if (!/^[a-z0-9_-]{1,24}$/i.test(f.name) || seen.has(f.name.toUpperCase()))
      throw new GenosError(
        'BAD_ARGS',
        `"${f.name}" cannot be a seed file name (letters, digits, - and _, unique).`,
      );
    seen.add(f.name.toUpperCase());
    return { name: f.name, data: Buffer.isBuffer(f.data) ? f.data : Buffer.from(f.data, 'utf8') };
  });
  const total = items.reduce((n, f) => n + f.data.length, 0);
  if (total > MAX_TOTAL)
    throw new GenosError('BAD_ARGS', 'The seed files are too large (16 MiB at most).');

  let sector = FIRST_DATA;
  const placed = items.map((f) => {
    const at = sector;
    sector += Math.max(1, Math.ceil(f.data.length / SECTOR));
    return { ...f, at };
  });
  const sectors = sector;
  const img = Buffer.alloc(sectors * SECTOR);

  const primary = placed
    .map((f) => ({ id: Buffer.from(`${f.name.toUpperCase()}.;1`, 'ascii'), f }))
    .sort((a, b) => Buffer.compare(a.id, b.id));
  const joliet = placed
    .map((f) => ({ id: ucs2(f.name), f }))
    .sort((a, b) => Buffer.compare(a.id, b.id));
  const dirP = directory(ROOT_PRIMARY, primary, now);
  const dirJ = directory(ROOT_JOLIET, joliet, now);
  if (dirP.length > SECTOR || dirJ.length > SECTOR)
    throw new GenosError('BAD_ARGS', 'Too many seed files for one directory sector.');
  dirP.copy(img, ROOT_PRIMARY * SECTOR);
  dirJ.copy(img, ROOT_JOLIET * SECTOR);
  for (const f of placed) f.data.copy(img, f.at * SECTOR);

  volumeDescriptor(img, 16, {
    joliet: false,
    volumeId,
    sectors,
    pathL: 19,
    pathM: 20,
    root: ROOT_PRIMARY,
    now,
  });
  volumeDescriptor(img, 17, {
    joliet: true,
    volumeId,
    sectors,
    pathL: 21,
    pathM: 22,
    root: ROOT_JOLIET,
    now,
  });
  const term = 18 * SECTOR;
  img[term] = 255;
  img.write('CD001', term + 1, 'ascii');
  img[term + 6] = 1;
  pathTable(img, 19, ROOT_PRIMARY, 'le');
  pathTable(img, 20, ROOT_PRIMARY, 'be');
  pathTable(img, 21, ROOT_JOLIET, 'le');
  pathTable(img, 22, ROOT_JOLIET, 'be');
  return img;
}

function ucs2(s: string): Buffer {
  const b = Buffer.alloc(s.length * 2);
  for (let i = 0; i < s.length; i++) b.writeUInt16BE(s.charCodeAt(i), i * 2);
  return b;
}

function both32(b: Buffer, off: number, v: number): void {
  b.writeUInt32LE(v, off);
  b.writeUInt32BE(v, off + 4);
}
function both16(b: Buffer, off: number, v: number): void {
  b.writeUInt16LE(v, off);
  b.writeUInt16BE(v, off + 2);
}

/** A directory record (ECMA-119 9.1); `id` 0x00 is ".", 0x01 is "..". */
function record(id: Buffer, extent: number, size: number, isDir: boolean, now: Date): Buffer {
  const len = 33 + id.length + (id.length % 2 === 0 ? 1 : 0);
  const r = Buffer.alloc(len);
  r[0] = len;
  both32(r, 2, extent);
  both32(r, 10, size);
  r[18] = now.getUTCFullYear() - 1900;
  r[19] = now.getUTCMonth() + 1;
  r[20] = now.getUTCDate();
  r[21] = now.getUTCHours();
  r[22] = now.getUTCMinutes();
  r[23] = now.getUTCSeconds();
  r[24] = 0; // UTC
  r[25] = isDir ? 2 : 0;
  both16(r, 28, 1);
  r[32] = id.length;
  id.copy(r, 33);
  return r;
}

function directory(
  self: number,
  entries: Array<{ id: Buffer; f: { at: number; data: Buffer } }>,
  now: Date,
): Buffer {
  // The root is its own parent: "." and ".." both point at this sector.
  return Buffer.concat([
    record(Buffer.from([0]), self, SECTOR, true, now),
    record(Buffer.from([1]), self, SECTOR, true, now),
    ...entries.map((e) => record(e.id, e.f.at, e.f.data.length, false, now)),
  ]);
}

/** One entry: the root (ECMA-119 9.4), 10 bytes. */
function pathTable(img: Buffer, sector: number, root: number, endian: 'le' | 'be'): void {
  const o = sector * SECTOR;
  img[o] = 1;
  if (endian === 'le') {
    img.writeUInt32LE(root, o + 2);
    img.writeUInt16LE(1, o + 6);
  } else {
    img.writeUInt32BE(root, o + 2);
    img.writeUInt16BE(1, o + 6);
  }
}

function decDate(d: Date): string {
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${p(d.getUTCFullYear(), 4)}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}${p(d.getUTCHours())}${p(d.getUTCMinutes())}${p(d.getUTCSeconds())}00`;
}

type VdOpts = {
  joliet: boolean;
  volumeId: string;
  sectors: number;
  pathL: number;
  pathM: number;
  root: number;
  now: Date;
};

/** Primary (type 1) or Joliet supplementary (type 2, UCS-2 level 3) volume descriptor. */
function volumeDescriptor(img: Buffer, sector: number, o: VdOpts): void {
  const b = img.subarray(sector * SECTOR, (sector + 1) * SECTOR);
  b[0] = o.joliet ? 2 : 1;
  b.write('CD001', 1, 'ascii');
  b[6] = 1;
  const text = (s: string, off: number, len: number) => {
    if (o.joliet) {
      for (let i = 0; i < len / 2; i++)
        b.writeUInt16BE(i < s.length ? s.charCodeAt(i) : 0x20, off + i * 2);
    } else {
      b.write(s.padEnd(len, ' ').slice(0, len), off, 'ascii');
    }
  };
  text('LINUX', 8, 32);
  text(o.volumeId, 40, 32);
  both32(b, 80, o.sectors);
  if (o.joliet) b.write('%/E', 88, 'ascii'); // UCS-2 level 3
  both16(b, 120, 1);
  both16(b, 124, 1);
  both16(b, 128, SECTOR);
  both32(b, 132, 10);
  b.writeUInt32LE(o.pathL, 140);
  b.writeUInt32BE(o.pathM, 148);
  record(Buffer.from([0]), o.root, SECTOR, true, o.now).copy(b, 156);
  for (const [off, len] of [
    [190, 128],
    [318, 128],
    [446, 128],
    [574, 128],
    [702, 37],
    [739, 37],
    [776, 37],
  ] as const)
    text(off === 574 ? 'GENOS' : '', off, len);
  const date = decDate(o.now);
  b.write(date, 813, 'ascii');
  b.write(date, 830, 'ascii');
  b.write('0000000000000000', 847, 'ascii');
  b.write(date, 864, 'ascii');
  b[881] = 1;
}
