import { isGenosError, type GenosError } from '../../../main/core/errors.js';
import type { QemuImgRunner, RunOptions, RunResult } from '../../../main/images/qemu-img.js';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'vitest';
import type { ErrorCode } from '../../../preload/contract.js';

/** Image fixtures written byte by byte (no qemu-img), shared by the unit and integration tests. */

export function tempDir(prefix = 'genos-images-'): { dir: string; cleanup(): void } {
  const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), prefix)));
  return { dir, cleanup: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

const CLUSTER = 65536;

/**
 * A minimal valid qcow2 v3 image: header in cluster 0, refcount table in cluster 1, L1 table in
 * cluster 2 (all zero: nothing allocated), optionally a backing file name and an external data
 * file extension. `fileSize` less than 3 clusters makes it truncated.
 */
export function qcow2Bytes(
  opts: {
    virtualSize?: number;
    backing?: string;
    dataFile?: string;
    externalDataBit?: boolean;
    encrypted?: boolean;
    fileSize?: number;
  } = {},
): Buffer {
  const buf = Buffer.alloc(3 * CLUSTER);
  buf.writeUInt32BE(0x514649fb, 0);
  buf.writeUInt32BE(3, 4);
  buf.writeUInt32BE(16, 20); // cluster_bits
  buf.writeBigUInt64BE(BigInt(opts.virtualSize ?? 1024 * 1024), 24);
  buf.writeUInt32BE(opts.encrypted ? 1 : 0, 32);
  buf.writeUInt32BE(1, 36); // l1_size
  buf.writeBigUInt64BE(BigInt(2 * CLUSTER), 40); // l1_table_offset
  buf.writeBigUInt64BE(BigInt(CLUSTER), 48); // refcount_table_offset
  buf.writeUInt32BE(1, 56); // refcount_table_clusters
  const dataBit = opts.externalDataBit ?? opts.dataFile !== undefined;
  buf.writeBigUInt64BE(dataBit ? 4n : 0n, 72); // incompatible features
  buf.writeUInt32BE(4, 96); // refcount_order
  buf.writeUInt32BE(104, 100); // header_length
  let at = 104;
  if (opts.dataFile !== undefined) {
    const name = Buffer.from(opts.dataFile, 'latin1');
    buf.writeUInt32BE(0x44415441, at);
    buf.writeUInt32BE(name.length, at + 4);
    name.copy(buf, at + 8);
    at += 8 + Math.ceil(name.length / 8) * 8;
  }
  at += 8; // end-of-extensions marker (zeros)
  if (opts.backing !== undefined) {
    const name = Buffer.from(opts.backing, 'latin1');
    buf.writeBigUInt64BE(BigInt(at), 8);
    buf.writeUInt32BE(name.length, 16);
    name.copy(buf, at);
  }
  return buf.subarray(0, opts.fileSize ?? buf.length);
}

/** A text VMDK descriptor whose one FLAT extent is `extent`. */
export function vmdkDescriptor(extent: string, sectors = 2048): string {
  return [
    '# Disk DescriptorFile',
    'version=1',
    'CID=fffffffe',
    'parentCID=ffffffff',
    'createType="monolithicFlat"',
    '',
    '# Extent description',
    `RW ${sectors} FLAT "${extent}" 0`,
    '',
    '# The Disk Data Base',
    '#DDB',
    'ddb.virtualHWVersion = "4"',
    'ddb.geometry.cylinders = "2"',
    'ddb.geometry.heads = "16"',
    'ddb.geometry.sectors = "63"',
    'ddb.adapterType = "ide"',
    '',
  ].join('\n');
}

/**
 * A binary sparse VMDK (KDMV) header, 64 KiB, with `descriptor` embedded at sector 1 (0x200).
 * capacity 0 makes qemu read that descriptor's extents.
 */
export function sparseVmdkBytes(descriptor: string, capacity = 0n): Buffer {
  const buf = Buffer.alloc(0x10000);
  buf.write('KDMV', 0, 'latin1');
  buf.writeUInt32LE(1, 4); // version
  buf.writeBigUInt64LE(capacity, 12);
  buf.writeBigUInt64LE(128n, 20); // granularity
  buf.writeBigUInt64LE(1n, 28); // desc_offset (sectors)
  buf.writeBigUInt64LE(20n, 36); // desc_size
  buf.write(descriptor, 0x200, 'latin1');
  return buf;
}

/** 64 KiB with the ISO 9660 primary volume descriptor signature at 0x8001. */
export function isoBytes(): Buffer {
  const buf = Buffer.alloc(0x10000);
  buf[0x8000] = 1;
  buf.write('CD001', 0x8001, 'latin1');
  return buf;
}

/** A runner that records every call and fails the test if it is ever used, unless `inner`. */
export function spyRunner(inner?: QemuImgRunner): QemuImgRunner & { calls: string[][] } {
  const calls: string[][] = [];
  const fn = (async (args: string[], opts?: RunOptions): Promise<RunResult> => {
    calls.push(args);
    if (!inner)
      throw new Error(`qemu-img must not run here, but was called with ${args.join(' ')}`);
    return inner(args, opts);
  }) as QemuImgRunner & { calls: string[][] };
  fn.calls = calls;
  return fn;
}

export async function expectRejects(
  p: Promise<unknown>,
  code: ErrorCode,
  message: RegExp = /./,
): Promise<GenosError> {
  let thrown: unknown;
  try {
    await p;
  } catch (e) {
    thrown = e;
  }
  expect(isGenosError(thrown), `expected a GenosError, got ${String(thrown)}`).toBe(true);
  const err = thrown as GenosError;
  expect(err.code, err.message).toBe(code);
  expect(err.message).toMatch(message);
  return err;
}
