/** The catalog files in resources/catalog: their schema, and that they agree with each other. */
import { describe, expect, it } from 'vitest';
import osData from '../../../resources/catalog/os.json' with { type: 'json' };
import appData from '../../../resources/catalog/apps.json' with { type: 'json' };
import desktopData from '../../../resources/catalog/desktops.json' with { type: 'json' };
import { AppCatalog, DesktopCatalog, OsCatalog } from '../../../main/composer/catalog-schema.js';
import { matchPhrase } from '../../../main/composer/lexicon.js';
import { matchVersion, findOs } from '../../../main/composer/catalog.js';

const oses = OsCatalog.parse(osData);
const { apps } = AppCatalog.parse(appData);
const { desktops } = DesktopCatalog.parse(desktopData);

describe('catalog', () => {
  it('parses with its schemas', () => {
    expect(oses.oses.length).toBeGreaterThanOrEqual(14);
    expect(apps.length).toBeGreaterThanOrEqual(37);
    expect(desktops.length).toBeGreaterThanOrEqual(5);
  });

  it('has the operating systems and apps the issue asks for', () => {
    const osIds = oses.oses.map((o) => o.id);
    for (const id of [
      'ubuntu',
      'debian',
      'fedora',
      'alpine',
      'archlinux',
      'rocky',
      'almalinux',
      'centos-stream',
      'opensuse',
      'kali',
      'linuxmint',
      'nixos',
      'freebsd',
      'windows',
    ]) {
      expect(osIds).toContain(id);
    }
    const appIds = apps.map((a) => a.id);
    for (const id of 'firefox chromium vscode git python nodejs go rust java gcc nginx apache php ruby postgresql mysql mariadb redis mongodb sqlite jupyter docker openssh-server vim emacs tmux htop curl nmap wireshark gimp inkscape blender libreoffice vlc thunderbird'.split(
      ' ',
    )) {
      expect(appIds).toContain(id);
    }
  });

  it.each([
    ['vs code', 'vscode'],
    ['visual studio code', 'vscode'],
    ['google chrome', 'chromium'],
    ['build-essential', 'gcc'],
    ['postgres', 'postgresql'],
    ['python3', 'python'],
    ['openjdk', 'java'],
  ])('reads the alias "%s" as %s', (alias, id) => {
    const phrase = matchPhrase(alias.split(' '), 0);
    expect(phrase?.toks.join(' ')).toBe(alias);
    expect(phrase?.meanings[0]).toMatchObject({ k: 'app', id });
  });

  it('keeps ids unique and cross-references valid', () => {
    const unique = (xs: string[]) => expect(new Set(xs).size).toBe(xs.length);
    unique(oses.oses.map((o) => o.id));
    unique(apps.map((a) => a.id));
    unique(desktops.map((d) => d.id));
    const desktopIds = new Set(desktops.map((d) => d.id));
    expect(findOs(oses.defaultOs)).toBeDefined();
    for (const os of oses.oses) {
      unique(os.versions.map((v) => v.version));
      expect(
        os.versions.map((v) => v.version),
        os.id,
      ).toContain(os.defaultVersion);
      if (os.defaultDesktop) expect(desktopIds.has(os.defaultDesktop), os.id).toBe(true);
      for (const d of Object.values(os.aliasDesktops ?? {})) expect(desktopIds.has(d)).toBe(true);
      for (const alias of Object.keys(os.aliasDesktops ?? {})) expect(os.aliases).toContain(alias);
      const def = os.versions.find((v) => v.version === os.defaultVersion)!;
      if (os.backends.includes('docker'))
        expect(def.containerImage, `${os.id} default image`).not.toBeNull();
      else
        for (const v of os.versions) expect(v.containerImage, `${os.id} ${v.version}`).toBeNull();
      if (os.family !== 'linux') expect(os.backends).toEqual(['qemu']);
      expect(def.support, `${os.id}'s default is supported`).not.toBe('eol');
    }
    for (const app of apps) {
      for (const amb of app.ambiguousAliases ?? []) expect(app.aliases).toContain(amb);
      for (const os of Object.keys(app.osOverrides ?? {}))
        expect(findOs(os), `${app.id} override ${os}`).toBeDefined();
    }
  });

  it('lists versions newest first, so a major version picks the newest point release', () => {
    for (const os of oses.oses) {
      const numeric = os.versions.map((v) => v.version).filter((v) => /^\d+(\.\d+)?$/.test(v));
      const sorted = [...numeric].sort((a, b) => Number(b) - Number(a));
      expect(numeric, os.id).toEqual(sorted);
    }
    expect(matchVersion(findOs('ubuntu')!, '22')?.version).toBe('22.04');
  });

  it('gives every alias one meaning (except the declared everyday words)', () => {
    const owner = new Map<string, string>();
    const claim = (alias: string, who: string) => {
      const prev = owner.get(alias);
      expect(prev === undefined || prev === who, `"${alias}" is both ${prev} and ${who}`).toBe(
        true,
      );
      owner.set(alias, who);
    };
    for (const os of oses.oses) {
      for (const a of os.aliases) claim(a, `os:${os.id}`);
      for (const v of os.versions) for (const c of v.codenames) claim(c, `os:${os.id}`);
    }
    for (const app of apps) for (const a of app.aliases) claim(a, `app:${app.id}`);
    for (const d of desktops) for (const a of d.aliases) claim(a, `desktop:${d.id}`);
    for (const u of oses.unsupported) for (const a of u.aliases) claim(a, 'unsupported');
  });

  it('has a package (or a note saying where it comes from) for each app on apt systems', () => {
    for (const app of apps) {
      expect(app.packages.apt !== null || app.note !== undefined, app.id).toBe(true);
    }
  });
});
