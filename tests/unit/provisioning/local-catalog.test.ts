import { generateKeyPairSync } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SshPublicKey } from '../../../preload/contract.js';
import { catalogImageEntries, vmImageFor } from '../../../main/provisioning/catalog-entries.js';
import { downloadOptionsFor } from '../../../main/provisioning/catalog-images.js';
import { parseLocalCatalog, readLocalCatalog } from '../../../main/provisioning/local-catalog.js';

const FILE = '/data/catalog.local.json';
const good = {
  os: 'debian',
  version: '12-mine',
  url: 'http://127.0.0.1:8080/debian.qcow2',
  sha256: 'a'.repeat(64),
  format: 'qcow2',
};
const parse = (v: unknown) => parseLocalCatalog(JSON.stringify(v), FILE);

describe('catalog.local.json', () => {
  it('accepts entries and fills the defaults', () => {
    const r = parse({
      images: [good, { ...good, version: '13', url: 'file:///srv/img.qcow2', sha256: null }],
    });
    expect(r.error).toBeNull();
    expect(r.images[0]).toMatchObject({ compression: 'none', cloudInit: true });
    expect(r.images[1]!.url).toBe('file:///srv/img.qcow2');
  });

  it.each([
    [
      { images: [{ ...good, url: 'ftp://host/x.qcow2' }] },
      /images\.0\.url: an http:\/\/, https:\/\/ or file:\/\/ URL/,
    ],
    [{ images: [{ ...good, format: 'vmdk' }] }, /images\.0\.format/],
    [{ images: [{ ...good, os: 'Debian' }] }, /images\.0\.os: an OS id in lower case/],
    [{ images: [{ ...good, sha256: 'xyz' }] }, /images\.0\.sha256: a SHA-256/],
    [{ images: [{ ...good, colour: 'red' }] }, /images\.0: Unrecognized key.*colour/],
    [{ images: [{ ...good, version: '../x' }] }, /images\.0\.version/],
    [[good], /the top level/],
    [{ images: [good, good] }, /images\.1 repeats debian 12-mine/],
  ])('names the file and the field of a bad entry (%#)', (value, why) => {
    const r = parse(value);
    expect(r.images).toEqual([]);
    expect(r.error).toContain(FILE);
    expect(r.error).toMatch(why);
  });

  it('reports JSON that does not parse, and treats a missing file as empty', async () => {
    expect(parseLocalCatalog('{"images": [', FILE).error).toMatch(
      /catalog\.local\.json is not valid JSON/,
    );
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'genos-lc-'));
    try {
      expect(await readLocalCatalog(dir)).toMatchObject({ images: [], error: null });
    } finally {
      fs.rmSync(dir, { recursive: true });
    }
  });
});

describe('catalog entries with local ones merged', () => {
  let dir: string;
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'genos-lc-'))));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));
  const write = (v: unknown) =>
    fs.writeFileSync(
      path.join(dir, 'catalog.local.json'),
      typeof v === 'string' ? v : JSON.stringify(v),
    );

  it('adds local entries, lets one replace a built-in version, and finds them by OS/version', async () => {
    const builtin = await vmImageFor(dir, 'debian', '12');
    expect(builtin).toMatchObject({ origin: 'builtin', image: { format: 'qcow2' } });
    write({ images: [good, { ...good, version: '12', url: 'http://127.0.0.1:1/d12.qcow2' }] });
    const { entries } = await catalogImageEntries(dir);
    const d12 = entries.filter((e) => e.osId === 'debian' && e.version === '12');
    // The local cloud image replaced the built-in one; the built-in installer ISO stays.
    expect(d12.map((e) => [e.media, e.origin]).sort()).toEqual([
      ['cloud-image', 'local'],
      ['installer-iso', 'builtin'],
    ]);
    expect(await vmImageFor(dir, 'debian', '12')).toMatchObject({
      origin: 'local',
      image: { url: 'http://127.0.0.1:1/d12.qcow2' },
    });
    expect(await vmImageFor(dir, 'debian', '12-mine')).toMatchObject({
      name: 'Debian 12-mine',
      image: { sha256: 'a'.repeat(64), compression: 'none' },
    });
    expect(await vmImageFor(dir, 'debian', 'nope')).toBeNull();
  });

  it('an installer ISO entry is its own media beside the cloud image of the same version', async () => {
    const iso = {
      os: 'debian',
      version: '12-mine',
      url: 'http://127.0.0.1:8080/d-*.iso',
      format: 'iso',
    };
    write({ images: [good, { ...iso, checksumUrl: 'http://127.0.0.1:8080/SUMS' }] });
    const { entries, local } = await catalogImageEntries(dir);
    expect(local.error).toBeNull();
    const mine = entries.filter((e) => e.osId === 'debian' && e.version === '12-mine');
    expect(mine.map((e) => [e.media, e.cloudInit]).sort()).toEqual([
      ['cloud-image', true],
      ['installer-iso', false],
    ]);
    expect(await vmImageFor(dir, 'debian', '12-mine', 'installer-iso')).toMatchObject({
      image: { format: 'iso', url: iso.url },
    });
    // The built-in catalog's ISOs: each with a checksum file to verify against.
    const builtin = entries.filter((e) => e.media === 'installer-iso' && e.origin === 'builtin');
    expect(builtin.map((e) => e.osId)).toEqual(
      expect.arrayContaining(['debian', 'ubuntu', 'fedora', 'alpine']),
    );
    for (const e of builtin) expect(e.image.checksumUrl, e.name).toMatch(/^https:/);
  });

  it('a malformed file leaves the built-in catalog usable and is an error only where it matters', async () => {
    write('{ not json');
    const { entries, local } = await catalogImageEntries(dir);
    expect(local.error).toMatch(/not valid JSON/);
    expect(entries.some((e) => e.osId === 'ubuntu')).toBe(true);
    expect(await vmImageFor(dir, 'ubuntu', '24.04')).toMatchObject({ origin: 'builtin' });
    await expect(vmImageFor(dir, 'myos', '1')).rejects.toMatchObject({ code: 'BAD_ARGS' });
  });

  it('maps mirrors by prefix and never sends loopback traffic through the proxy', async () => {
    write({ images: [good] });
    const { entries } = await catalogImageEntries(dir);
    const local = entries.find((e) => e.version === '12-mine')!;
    const ubuntu = entries.find(
      (e) => e.osId === 'ubuntu' && e.version === '24.04' && e.media === 'cloud-image',
    )!;
    const settings = {
      downloadMirrors: [
        { prefix: 'https://cloud-images.ubuntu.com/', mirrors: ['http://mirror.test/u/'] },
      ],
      downloadProxy: 'http://proxy.test:3128',
    };
    const u = downloadOptionsFor(ubuntu, settings);
    expect(u.proxy).toBe('http://proxy.test:3128');
    expect(u.mirrors[0]).toMatch(/^http:\/\/mirror\.test\/u\/releases\/noble\//);
    expect(u.checksumMirrors[0]).toMatch(/SHA256SUMS$/);
    expect(downloadOptionsFor(local, settings)).toEqual({ mirrors: [], checksumMirrors: [] });
  });
});

describe('the sshPublicKey setting', () => {
  const blob = (type: string, key: Buffer) => {
    const str = (b: Buffer) => Buffer.concat([Buffer.from([0, 0, 0, b.length]), b]);
    return Buffer.concat([str(Buffer.from(type)), str(key)]).toString('base64');
  };
  const raw = generateKeyPairSync('ed25519')
    .publicKey.export({ format: 'der', type: 'spki' })
    .subarray(-32);
  const line = `ssh-ed25519 ${blob('ssh-ed25519', raw)} me@host`;

  it('accepts a real OpenSSH public key line, trimmed', () => {
    expect(SshPublicKey.parse(`  ${line}\n`)).toBe(line);
  });

  it.each([
    ['-----BEGIN OPENSSH PRIVATE KEY-----', /one OpenSSH public key line/],
    [`ssh-ed25519 ${blob('ssh-rsa', raw)}`, /does not match its type/],
    [`ssh-foo ${blob('ssh-foo', raw)}`, /key type must be one of/],
    [`${line}\n${line}`, /one OpenSSH public key line/],
  ])('refuses %s', (bad, why) => {
    const r = SshPublicKey.safeParse(bad);
    expect(r.success).toBe(false);
    expect(r.error!.issues.map((i) => i.message).join(' ')).toMatch(why);
  });
});
