import { describe, expect, it } from 'vitest';
import {
  checksumFromHex,
  findChecksum,
  parseChecksumFile,
} from '../../../main/provisioning/checksums.js';
import { ProgressMeter, type DownloadProgress } from '../../../main/provisioning/progress.js';
import { parseContentRange } from '../../../main/provisioning/transfer.js';

const A = 'a'.repeat(64);
const B = 'B'.repeat(64);
const C = 'c'.repeat(128);

describe('checksum files', () => {
  it('GNU coreutils lines, text and binary mode, with ./ prefixes', () => {
    const f = parseChecksumFile(
      `${A}  ubuntu-24.04-server-cloudimg-amd64.img\n${B} *./other.img\r\n`,
    );
    expect(findChecksum(f, 'ubuntu-24.04-server-cloudimg-amd64.img')).toEqual({
      algo: 'sha256',
      hex: A,
    });
    expect(findChecksum(f, 'other.img')).toEqual({ algo: 'sha256', hex: B.toLowerCase() });
    expect(findChecksum(f, 'missing.img')).toBeNull();
  });

  it("Fedora's clear-signed BSD-style CHECKSUM (signature armour skipped)", () => {
    const text = [
      '-----BEGIN PGP SIGNED MESSAGE-----',
      'Hash: SHA256',
      '',
      '# Fedora-Cloud-Base-Generic-42-1.1.x86_64.qcow2: 123 bytes',
      `SHA256 (Fedora-Cloud-Base-Generic-42-1.1.x86_64.qcow2) = ${A}`,
      `SHA256 (Fedora-Cloud-Base-AmazonEC2-42-1.1.x86_64.raw.xz) = ${B}`,
      '-----BEGIN PGP SIGNATURE-----',
      '',
      `iQIzBAEBCAAdFiEE${A}`,
      '-----END PGP SIGNATURE-----',
    ].join('\n');
    const f = parseChecksumFile(text);
    expect(f.entries.size).toBe(2);
    expect(findChecksum(f, 'Fedora-Cloud-Base-Generic-42-1.1.x86_64.qcow2')?.hex).toBe(A);
  });

  it('SHA-512 (Debian SHA512SUMS, Alpine .sha512) and a bare digest', () => {
    expect(
      findChecksum(
        parseChecksumFile(`${C}  debian-12-genericcloud-amd64.qcow2\n`),
        'debian-12-genericcloud-amd64.qcow2',
      ),
    ).toEqual({
      algo: 'sha512',
      hex: C,
    });
    expect(findChecksum(parseChecksumFile(`SHA512 (x.img) = ${C}\n`), 'x.img')?.algo).toBe(
      'sha512',
    );
    const bare = parseChecksumFile(`${A}\n`);
    expect(findChecksum(bare, 'anything.qcow2')).toEqual({ algo: 'sha256', hex: A });
  });

  it('matches by base name when the file lists paths; rejects digests of the wrong length', () => {
    const f = parseChecksumFile(`${A}  images/x.qcow2\nSHA256 (y.img) = abcd\n`);
    expect(findChecksum(f, 'x.qcow2')?.hex).toBe(A);
    expect(findChecksum(f, 'y.img')).toBeNull();
    expect(checksumFromHex(` ${A.toUpperCase()} `)).toEqual({ algo: 'sha256', hex: A });
    expect(checksumFromHex('abc')).toBeNull();
  });
});

describe('Content-Range', () => {
  it('parses bytes start-end/total and rejects anything else', () => {
    expect(parseContentRange('bytes 100-199/200')).toEqual({ start: 100, end: 199, total: 200 });
    expect(parseContentRange('bytes 0-9/*')).toEqual({ start: 0, end: 9, total: null });
    expect(parseContentRange('bytes */200')).toBeNull();
    expect(parseContentRange(null)).toBeNull();
  });
});

describe('ProgressMeter', () => {
  it('throttles to one event per 250 ms (plus forced ones) and measures the rate from transferred bytes only', () => {
    let t = 0;
    const events: DownloadProgress[] = [];
    const m = new ProgressMeter(
      (p) => events.push(p),
      () => t,
    );
    m.start(1000); // 1000 bytes resumed from a .part
    for (let i = 1; i <= 100; i++) {
      t = i * 10; // 10 ms steps, 1000 bytes each: 100 kB/s
      m.update(1000 + i * 1000, 201_000);
    }
    expect(events.length).toBeLessThanOrEqual(5);
    const last = events.at(-1)!;
    expect(last.rateBytesPerSec).toBeGreaterThan(90_000);
    expect(last.rateBytesPerSec).toBeLessThan(110_000);
    expect(last.etaSec).toBeGreaterThan(0);
    m.update(201_000, 201_000, true);
    expect(events.at(-1)).toMatchObject({ done: 201_000, etaSec: 0 });
  });
});
