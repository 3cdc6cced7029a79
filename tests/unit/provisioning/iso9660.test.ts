import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildSeed } from '../../../main/provisioning/cloud-init.js';
import { buildIso } from '../../../main/provisioning/iso9660.js';
import { readIso } from '../../../main/provisioning/iso9660-read.js';
import { writeSeedIso, type SeedTool } from '../../../main/provisioning/seed-iso.js';

const has = (cmd: string) => {
  try {
    execFileSync('sh', ['-c', `command -v ${cmd}`]);
    return true;
  } catch {
    return false;
  }
};
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'genos-iso-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

const seed = buildSeed({
  instanceId: 'env-iso-1',
  hostname: 'iso-host',
  osId: 'debian',
  packageManager: 'apt',
  display: 'headless',
  packages: ['vim', 'git'],
  networkConfig: true,
});

describe('ISO9660 writer', () => {
  it('writes a volume labelled cidata whose files read back byte for byte (Joliet names)', () => {
    const big = 'x'.repeat(5000); // spans three sectors
    const img = buildIso('cidata', [
      { name: 'user-data', data: seed.files['user-data'] },
      { name: 'meta-data', data: seed.files['meta-data'] },
      { name: 'big', data: big },
      { name: 'empty', data: '' },
    ]);
    expect(img.length % 2048).toBe(0);
    const vol = readIso(img);
    expect(vol).toMatchObject({ label: 'cidata', joliet: true });
    expect(vol.files.get('user-data')!.toString()).toBe(seed.files['user-data']);
    expect(vol.files.get('meta-data')!.toString()).toBe(seed.files['meta-data']);
    expect(vol.files.get('big')!.toString()).toBe(big);
    expect(vol.files.get('empty')!.length).toBe(0);
  });

  it('the primary tree alone shows the names Linux would (lowercased, ".;1" dropped)', () => {
    const img = buildIso('cidata', [{ name: 'user-data', data: 'a' }]);
    img[17 * 2048] = 255; // turn the Joliet descriptor into the terminator: primary names only
    const vol = readIso(img);
    expect(vol.joliet).toBe(false);
    expect([...vol.files.keys()]).toEqual(['user-data']);
  });

  it('refuses names and labels it cannot write', () => {
    expect(() => buildIso('cidata', [{ name: '../x', data: '' }])).toThrow(
      /cannot be a seed file name/,
    );
    expect(() =>
      buildIso('cidata', [
        { name: 'a', data: '' },
        { name: 'A', data: '' },
      ]),
    ).toThrow(/unique/);
    expect(() => buildIso('no label!', [])).toThrow(/volume label/);
  });

  it.skipIf(!has('isoinfo'))(
    'isoinfo (genisoimage) reads it: label, Joliet listing, contents',
    () => {
      const file = path.join(tmp, 'own.iso');
      fs.writeFileSync(
        file,
        buildIso('cidata', [
          { name: 'user-data', data: seed.files['user-data'] },
          { name: 'meta-data', data: seed.files['meta-data'] },
        ]),
      );
      const d = execFileSync('isoinfo', ['-d', '-i', file]).toString();
      expect(d).toMatch(/Volume id: cidata/);
      expect(d).toMatch(/Joliet with UCS level 3 found/);
      const list = execFileSync('isoinfo', ['-f', '-J', '-i', file]).toString().split('\n');
      expect(list).toEqual(expect.arrayContaining(['/user-data', '/meta-data']));
      expect(execFileSync('isoinfo', ['-J', '-x', '/user-data', '-i', file]).toString()).toBe(
        seed.files['user-data'],
      );
      expect(execFileSync('isoinfo', ['-x', '/META-DATA.;1', '-i', file]).toString()).toBe(
        seed.files['meta-data'],
      );
    },
  );
});

describe('writeSeedIso', () => {
  const tools: SeedTool[] = [
    'builtin',
    ...(has('genisoimage') ? (['genisoimage'] as const) : []),
    ...(has('xorriso') ? (['xorriso'] as const) : []),
  ];
  it.each(tools)(
    'with %s: cidata + user-data, meta-data, network-config, verified on the way out',
    async (tool) => {
      const out = path.join(tmp, `seed-${tool}.iso`);
      const r = await writeSeedIso(seed, out, { tool });
      expect(r).toEqual({ path: out, tool });
      const vol = readIso(fs.readFileSync(out));
      expect(vol.label).toBe('cidata');
      for (const [name, text] of Object.entries(seed.files))
        expect(vol.files.get(name)?.toString()).toBe(text);
      expect(fs.existsSync(`${out}.tmp`)).toBe(false);
    },
  );

  it('auto picks an installed tool, else the built-in writer', async () => {
    const r = await writeSeedIso(seed, path.join(tmp, 'auto.iso'));
    expect(r.tool).toBe(
      has('genisoimage') ? 'genisoimage' : has('xorriso') ? 'xorriso' : 'builtin',
    );
  });
});
