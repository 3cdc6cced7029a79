import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { findApp, findOs, packagesFor } from '../../../main/composer/catalog.js';
import {
  buildSeed,
  findProvisionMarker,
  type SeedInput,
} from '../../../main/provisioning/cloud-init.js';
import { sha512Crypt, generatePassword } from '../../../main/provisioning/sha512-crypt.js';

const hasOpenssl = (() => {
  try {
    execFileSync('openssl', ['version']);
    return true;
  } catch {
    return false;
  }
})();

type CloudConfig = {
  hostname: string;
  users: Array<{
    name: string;
    passwd: string;
    ssh_authorized_keys?: string[];
    lock_passwd: boolean;
  }>;
  packages?: string[];
  runcmd: Array<string[]>;
  bootcmd: string[];
  ssh_pwauth: boolean;
};

function parse(seed: ReturnType<typeof buildSeed>): {
  meta: Record<string, string>;
  user: CloudConfig;
} {
  expect(seed.files['user-data'].startsWith('#cloud-config\n')).toBe(true);
  return {
    meta: YAML.parse(seed.files['meta-data']) as Record<string, string>,
    user: YAML.parse(seed.files['user-data']) as CloudConfig,
  };
}

const base: SeedInput = {
  instanceId: 'env-0123abcd',
  hostname: 'dev-box',
  osId: 'debian',
  packageManager: 'apt',
  display: 'headless',
};

describe('SHA-512 crypt', () => {
  it("matches the specification's test vectors", () => {
    expect(sha512Crypt('Hello world!', 'saltstring')).toBe(
      '$6$saltstring$svn8UoSVapNtMuq1ukKS4tPQd8iKwSMHWjl/O817G3uBnIFNjnQJuesI68u4OTLiBFdcbYEdFCoEOfaS35inz1',
    );
    expect(sha512Crypt('Hello world!', 'saltstringsaltst', 10000)).toBe(
      '$6$rounds=10000$saltstringsaltst$OW1/O6BYHV6BcXZu8QVeXbDWra3Oeqh0sbHbbMCVNSnCM/UrjmM0Dp8vOuZeHBy/YTBmSK6H9qs/y3RnOaw5v.',
    );
  });

  it.skipIf(!hasOpenssl)('agrees with openssl passwd -6 on long and non-ASCII passwords', () => {
    for (const pw of [generatePassword(), 'ü€ long '.repeat(12), 'x']) {
      const salt = 'AbCd./0123456789';
      const want = execFileSync('openssl', ['passwd', '-6', '-salt', salt, '-stdin'], { input: pw })
        .toString()
        .trim();
      expect(sha512Crypt(pw, salt)).toBe(want);
    }
  });

  it('generates distinct readable passwords', () => {
    const a = generatePassword();
    expect(a).toMatch(/^[a-zA-Z2-9]{5}(-[a-zA-Z2-9]{5}){3}$/);
    expect(generatePassword()).not.toBe(a);
  });
});

describe('cloud-init seed', () => {
  it('meta-data and user-data: hostname, user genos with a hashed password, keys, markers', () => {
    const key = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIB3x user@host';
    const seed = buildSeed({ ...base, sshAuthorizedKeys: [key], password: 'pw-for-test' });
    const { meta, user } = parse(seed);
    expect(meta).toEqual({ 'instance-id': 'env-0123abcd', 'local-hostname': 'dev-box' });
    expect(user.hostname).toBe('dev-box');
    expect(seed.password).toBe('pw-for-test');
    expect(seed.files['user-data']).not.toContain('pw-for-test');
    const u = user.users[0]!;
    expect(u).toMatchObject({ name: 'genos', lock_passwd: false, ssh_authorized_keys: [key] });
    expect(u.passwd).toMatch(/^\$6\$[./0-9A-Za-z]{16}\$[./0-9A-Za-z]{86}$/);
    expect(u.passwd).toBe(seed.passwordHash);
    expect(user.ssh_pwauth).toBe(false);
    expect(user.packages).toBeUndefined();
    expect(user.bootcmd[0]).toContain('GENOS-STAGE first-boot env-0123abcd');
    const last = user.runcmd.at(-1)!;
    expect(last.slice(0, 2)).toEqual(['sh', '-c']);
    expect(last[2]).toContain("'GENOS-PROVISIONED env-0123abcd'");
    expect(last[2]).toContain('/dev/ttyS0');
    expect(seed.files['network-config']).toBeUndefined();
    expect(buildSeed({ ...base, networkConfig: true }).files['network-config']).toMatch(
      /dhcp4: true/,
    );
  });

  it.each([
    ['debian', 'firefox-esr'],
    ['ubuntu', 'firefox'],
    ['fedora', 'firefox'],
    ['alpine', 'firefox'],
  ])("packages follow the spec's apps on %s (catalog names)", (osId, firefox) => {
    const os = findOs(osId)!;
    const apps = ['firefox', 'git', 'vim'].map((id) => findApp(id)!);
    const packages = apps.flatMap((a) => packagesFor(a, os) ?? []);
    const seed = buildSeed({ ...base, osId, packageManager: os.packageManager, packages });
    const { user } = parse(seed);
    expect(user.packages).toEqual(packages);
    expect(user.packages).toContain(firefox);
    // The final marker checks exactly these packages with the distro's own tool.
    const check = { apt: 'dpkg -s', dnf: 'rpm -q', apk: 'apk info -e' }[os.packageManager as 'apt'];
    expect(user.runcmd.at(-1)![2]).toContain(`for p in ${packages.join(' ')}; do ${check} "$p"`);
  });

  it('a gui display adds the desktop set and switches to graphical.target', () => {
    const deb = parse(buildSeed({ ...base, display: 'gui', desktop: 'xfce' })).user;
    expect(deb.packages).toEqual(['task-xfce-desktop']);
    expect(deb.runcmd[0]![2]).toContain('graphical.target');
    const ubu = parse(
      buildSeed({ ...base, osId: 'ubuntu', display: 'gui', packages: ['firefox'] }),
    ).user;
    expect(ubu.packages).toEqual(['firefox', 'ubuntu-desktop-minimal']);
    const fed = parse(
      buildSeed({ ...base, osId: 'fedora', packageManager: 'dnf', display: 'gui', desktop: 'kde' }),
    ).user;
    expect(fed.packages).toEqual(['@kde-desktop-environment']);
    const own = parse(
      buildSeed({ ...base, display: 'gui', desktopPackages: ['xorg', 'icewm'] }),
    ).user;
    expect(own.packages).toEqual(['xorg', 'icewm']);
  });

  it('refuses values that could break the YAML or the shell', () => {
    expect(() => buildSeed({ ...base, hostname: 'bad_name!' })).toThrow(/host name/);
    expect(() => buildSeed({ ...base, instanceId: "x'; reboot" })).toThrow(/instance id/);
    expect(() => buildSeed({ ...base, packages: ['vim; rm -rf /'] })).toThrow(/package name/);
    expect(() =>
      buildSeed({ ...base, sshAuthorizedKeys: ['ssh-rsa AAAA\nruncmd: [reboot]'] }),
    ).toThrow(/SSH public key/);
  });

  it('finds the final marker in serial output', () => {
    expect(findProvisionMarker('boot...\r\nGENOS-PROVISIONED env-1 ok\r\n', 'env-1')).toEqual({
      state: 'ok',
    });
    expect(
      findProvisionMarker('GENOS-PROVISIONED env-1 failed missing:vim,git\n', 'env-1'),
    ).toEqual({
      state: 'failed',
      missing: ['vim', 'git'],
    });
    expect(findProvisionMarker("printf '%s' 'GENOS-PROVISIONED env-1' \"$s\"", 'env-1')).toBeNull();
    expect(findProvisionMarker('GENOS-PROVISIONED env-2 ok\n', 'env-1')).toBeNull();
    // Serial output arrives in pieces: a line not yet ended is not a verdict.
    expect(findProvisionMarker('GENOS-PROVISIONED env-1 failed missing:vi', 'env-1')).toBeNull();
    expect(findProvisionMarker('GENOS-PROVISIONED env-1 o', 'env-1')).toBeNull();
  });
});
