import fs from 'node:fs/promises';
import { GenosError } from '../core/errors.js';

/**
 * Our own look at a file's first bytes, before any qemu-img sees it. It does not decide the
 * recorded format (qemu-img info does, once); it decides which header checks must pass first,
 * and it turns away formats that can name other files (qcow v1, QED) or that GenOS does not
 * support, so qemu-img never opens them at all.
 */
export type Sniffed =
  | 'qcow2'
  | 'qcow' // QEMU's old v1 format: has a backing file field
  | 'qed' // has a backing file field
  | 'vdi'
  | 'vhdx'
  | 'vpc' // VHD: footer "conectix"
  | 'vmdk-sparse' // KDMV / COWD binary
  | 'vmdk-descriptor' // text that names extent files
  | 'luks'
  | 'iso' // ISO 9660 "CD001" at 0x8001
  | 'unknown'; // raw to qemu

export const HEAD_BYTES = 0x8800;

export async function readHead(file: string, bytes = HEAD_BYTES): Promise<Buffer> {
  let fh: fs.FileHandle;
  try {
    fh = await fs.open(file, 'r');
  } catch (e) {
    throw fileError(e, file);
  }
  try {
    const buf = Buffer.alloc(bytes);
    const { bytesRead } = await fh.read(buf, 0, bytes, 0);
    return buf.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
}

export function fileError(e: unknown, file: string): GenosError {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return new GenosError('NOT_FOUND', `${file} does not exist.`);
  if (code === 'EACCES' || code === 'EPERM') {
    return new GenosError('BAD_ARGS', `${file} cannot be read: permission denied.`);
  }
  if (code === 'EISDIR') return new GenosError('BAD_ARGS', `${file} is a directory, not an image.`);
  return new GenosError('BAD_ARGS', `${file} cannot be read: ${(e as Error).message}.`);
}

export function sniff(head: Buffer): Sniffed {
  const ascii = (at: number, len: number) => head.toString('latin1', at, at + len);
  if (head.length >= 4) {
    const magic = head.readUInt32BE(0);
    if (magic === 0x514649fb) {
      // 'QFI\xfb': version 1 is qcow, 2 and 3 are qcow2
      return head.length >= 8 && head.readUInt32BE(4) === 1 ? 'qcow' : 'qcow2';
    }
    if (ascii(0, 4) === 'QED\0') return 'qed';
    if (ascii(0, 4) === 'KDMV' || ascii(0, 4) === 'COWD') return 'vmdk-sparse';
    if (ascii(0, 6) === 'LUKS\xba\xbe') return 'luks';
  }
  if (ascii(0, 8) === 'vhdxfile') return 'vhdx';
  if (head.length >= 0x44 && head.readUInt32LE(0x40) === 0xbeda107f) return 'vdi';
  if (ascii(0, 8) === 'conectix') return 'vpc';
  if (isVmdkDescriptorText(head)) return 'vmdk-descriptor';
  if (ascii(0x8001, 5) === 'CD001') return 'iso';
  return 'unknown';
}

/**
 * True when qemu's vmdk driver would take this text for a descriptor (and open the files it
 * names). qemu's probe skips '#' comment lines and blank lines and then wants "version=1|2|3";
 * we also accept the usual "# Disk DescriptorFile" opening, and any text that has an extent line,
 * so a descriptor that qemu would not probe but a stated format=vmdk would open is caught too.
 */
export function isVmdkDescriptorText(head: Buffer): boolean {
  const text = head.subarray(0, 64 * 1024).toString('latin1');
  if (text.startsWith('# Disk DescriptorFile')) return true;
  if (text.includes('\0')) return false; // binary: not a descriptor
  for (const line of text.split('\n')) {
    const l = line.replace(/\r$/, '');
    if (l.startsWith('#') || l.trim() === '') continue;
    if (/^version=[123]$/.test(l)) return true;
    break;
  }
  return EXTENT_LINE.test(text);
}

/**
 * `RW 2048 FLAT "file.vmdk" 0`: an access word, a sector count, a type and a quoted file name,
 * loosely, as qemu's sscanf("%10s %ld %10s \"%511[^\n\r\"]\"") accepts it.
 */
export const EXTENT_LINE = /^[ \t]*\S+[ \t]+[+-]?\d+[ \t]+\S+?[ \t]*"[^"\r\n]*"/m;
