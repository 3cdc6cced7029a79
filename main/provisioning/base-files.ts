import fs from 'node:fs/promises';
import path from 'node:path';
import { GenosError } from '../core/errors.js';
import { HeaderError, parseQcow2Header, tablesPastEnd } from '../images/qcow2-header.js';

const QCOW2_MAGIC = Buffer.from('QFI\xfb', 'latin1');

async function readHead(
  file: string,
): Promise<{ head: Buffer; size: number; readAt: (o: number, n: number) => Promise<Buffer> }> {
  const fh = await fs.open(file, 'r');
  try {
    const size = (await fh.stat()).size;
    const head = Buffer.alloc(Math.min(size, 64 * 1024));
    await fh.read(head, 0, head.length, 0);
    const readAt = async (offset: number, length: number) => {
      const h = await fs.open(file, 'r');
      try {
        const b = Buffer.alloc(length);
        const { bytesRead } = await h.read(b, 0, length, offset);
        return b.subarray(0, bytesRead);
      } finally {
        await h.close();
      }
    };
    return { head, size, readAt };
  } finally {
    await fh.close();
  }
}

/**
 * A base every environment's overlay will sit on must be what it claims and self-contained: a
 * qcow2 that names a backing file or an external data file could make QEMU read (or write) a
 * host file. Checked from the header, before QEMU ever opens it.
 */
export async function checkBaseFile(file: string, format: string, label: string): Promise<void> {
  if (format === 'iso') return checkIso(file, label);
  if (format !== 'qcow2') return;
  const { head, size, readAt } = await readHead(file);
  const bad = (why: string) =>
    new GenosError('BAD_ARGS', `${label} is not a usable qcow2 base image: ${why}.`);
  if (!head.subarray(0, 4).equals(QCOW2_MAGIC))
    throw bad(
      'it does not start with the qcow2 signature (is it the right file, or still compressed?)',
    );
  let h;
  try {
    h = await parseQcow2Header(head, readAt);
  } catch (e) {
    if (e instanceof HeaderError) throw bad(e.message);
    throw e;
  }
  if (h.backingFile)
    throw bad(`it names a backing file (${h.backingFile}); a base must stand alone`);
  if (h.dataFile || h.externalDataBit) throw bad('its data lives in an external file');
  if (h.encrypted) throw bad('it is encrypted');
  if (h.corruptBit) throw bad('QEMU marked it corrupt');
  const past = tablesPastEnd(h, size);
  if (past.length) throw bad(`it is cut short (${past.join(', ')})`);
}

/** An installer ISO is attached read-only as a cdrom: it must at least be an ISO 9660 volume
 * (its primary volume descriptor says CD001 at 32 KiB + 1), not an HTML error page. */
async function checkIso(file: string, label: string): Promise<void> {
  const { size, head } = await readHead(file); // the first 64 KiB
  if (size <= 0x8006 || head.toString('latin1', 0x8001, 0x8006) !== 'CD001')
    throw new GenosError(
      'BAD_ARGS',
      `${label} is not an ISO 9660 image (no CD001 volume descriptor): is it the right file?`,
    );
}

/** The backing file an environment's disk overlay names, resolved as QEMU would, or null. */
async function backingOf(disk: string): Promise<string | null> {
  try {
    const { head, readAt } = await readHead(disk);
    if (!head.subarray(0, 4).equals(QCOW2_MAGIC)) return null;
    const h = await parseQcow2Header(head, readAt);
    return h.backingFile ? path.resolve(path.dirname(disk), h.backingFile) : null;
  } catch {
    return null;
  }
}

/**
 * Environment ids whose disk overlay (<dataDir>/qemu/<id>/disk.qcow2, the QEMU backend's layout)
 * is backed by a file inside `baseDir`. The overlays are the truth: an environment whose overlay
 * exists depends on the base whatever its spec says.
 */
export async function overlaysOn(
  dataDir: string,
  baseDirs: string[],
): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>(baseDirs.map((d) => [d, []]));
  const root = path.join(dataDir, 'qemu');
  const ids = await fs.readdir(root).catch(() => [] as string[]);
  const real = await Promise.all(baseDirs.map((d) => fs.realpath(d).catch(() => d)));
  for (const id of ids) {
    const backing = await backingOf(path.join(root, id, 'disk.qcow2'));
    if (!backing) continue;
    const resolved = await fs.realpath(backing).catch(() => backing);
    baseDirs.forEach((d, i) => {
      if (resolved.startsWith(real[i]! + path.sep) || backing.startsWith(d + path.sep))
        out.get(d)!.push(id);
    });
  }
  return out;
}
