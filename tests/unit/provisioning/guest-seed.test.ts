import { describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { buildSeed } from '../../../main/provisioning/cloud-init.js';
import { FirstBootTracker } from '../../../main/provisioning/first-boot.js';
import { instanceIdFor, seedInputForSpec } from '../../../main/provisioning/guest-seed.js';
import { buildIso } from '../../../main/provisioning/iso9660.js';
import { readIso } from '../../../main/provisioning/iso9660-read.js';
import { baseSpec } from '../../helpers/spec-fixture.js';

const KEY =
  'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl me@host';

function seedFor(over: Parameters<typeof baseSpec>[0], key: string | null = null) {
  const spec = baseSpec(over);
  const plan = seedInputForSpec(spec, {
    instanceId: 'env0123',
    password: 'abcde-fghij-klmno-pqrst',
    sshPublicKey: key,
  });
  return { spec, plan, seed: buildSeed(plan.input) };
}

type UserData = {
  hostname: string;
  packages?: string[];
  users: Array<{ name: string; passwd: string; ssh_authorized_keys?: string[] }>;
  ssh_pwauth: boolean;
  bootcmd: string[];
};

describe('the seed for a spec', () => {
  it.each([
    ['debian', '12', ['firefox-esr', 'git']],
    ['ubuntu', '24.04', ['firefox', 'git']],
    ['fedora', '42', ['firefox', 'git']],
    ['alpine', '3.22', ['firefox', 'git']],
  ])('maps the apps to %s package names', (os, version, packages) => {
    const { plan, seed } = seedFor({ os: { id: os, version }, apps: ['firefox', 'git'] });
    expect(plan.input.packages).toEqual(packages);
    expect(plan.skippedApps).toEqual([]);
    const user = YAML.parse(seed.files['user-data']) as UserData;
    expect(user.packages).toEqual(packages);
  });

  it('uses the same names as the catalog for postgresql (dnf differs)', () => {
    expect(
      seedFor({ os: { id: 'fedora', version: '42' }, apps: ['postgresql'] }).plan.input.packages,
    ).toEqual(['postgresql-server']);
  });

  it('names the host after the environment and makes the genos user with a hashed password', () => {
    const { seed } = seedFor({ name: 'dev-box' });
    const meta = YAML.parse(seed.files['meta-data']) as Record<string, string>;
    expect(meta['local-hostname']).toBe('dev-box');
    expect(meta['instance-id']).toBe('env0123');
    const user = YAML.parse(seed.files['user-data']) as UserData;
    expect(user.hostname).toBe('dev-box');
    expect(user.users[0]!.name).toBe('genos');
    expect(user.users[0]!.passwd).toMatch(/^\$6\$/);
    // The plain password is for the UI only; the seed (readable in the guest) never holds it.
    expect(seed.files['user-data']).not.toContain('abcde-fghij-klmno-pqrst');
    expect(user.ssh_pwauth).toBe(true);
    expect(user.bootcmd.join('\n')).toContain('GENOS-STAGE first-boot env0123');
    // Later boots repeat the outcome the final stage kept in the guest.
    expect(user.bootcmd[1]).toContain('cat /var/lib/genos/provisioned');
  });

  it("adds the settings' SSH key, and then turns password SSH off", () => {
    const user = YAML.parse(seedFor({}, KEY).seed.files['user-data']) as UserData;
    expect(user.users[0]!.ssh_authorized_keys).toEqual([KEY]);
    expect(user.ssh_pwauth).toBe(false);
  });

  it('adds a desktop when the display is gui, the spec desktop or the OS default', () => {
    expect(seedFor({ display: 'gui', desktop: 'xfce' }).seed.packages).toEqual([
      'task-xfce-desktop',
    ]);
    expect(seedFor({ display: 'gui', desktop: null }).seed.packages).toEqual([
      'task-gnome-desktop',
    ]);
    expect(seedFor({ display: 'headless', desktop: 'xfce' }).seed.packages).toEqual([]);
  });

  it('skips apps the OS does not carry (vscode on alpine) and says which', () => {
    const { plan } = seedFor({ os: { id: 'alpine', version: '3.22' }, apps: ['vscode', 'git'] });
    expect(plan.input.packages).toEqual(['git']);
    expect(plan.skippedApps).toEqual(['vscode']);
  });

  it('refuses an OS the catalog does not know', () => {
    expect(() => seedFor({ os: { id: 'plan9', version: null } })).toThrow(/not in the OS catalog/);
  });

  it('reads back from the ISO with label cidata', () => {
    const { seed } = seedFor({ name: 'web-1', apps: ['nginx'] });
    const vol = readIso(
      buildIso(
        'cidata',
        Object.entries(seed.files).map(([name, data]) => ({ name, data: data! })),
      ),
    );
    expect(vol.label).toBe('cidata');
    expect(vol.files.get('meta-data')!.toString()).toContain('local-hostname: web-1');
    expect((YAML.parse(vol.files.get('user-data')!.toString()) as UserData).packages).toEqual([
      'nginx',
    ]);
  });

  it('gives cloud-init a valid instance id for any environment id', () => {
    expect(instanceIdFor('a1b2c3')).toBe('a1b2c3');
    expect(instanceIdFor('_x')).toBe('i_x');
    expect(instanceIdFor('-'.repeat(64))).toHaveLength(64);
  });
});

describe('following the first boot on the console', () => {
  const banner = "Cloud-init v. 22.4.2 running 'modules:final' at Mon, 23 Nov 2026 03:00:00 +0000.";

  it('goes first-boot -> installing-packages -> ready, however the output is cut', () => {
    const t = new FirstBootTracker('env1', ['git']);
    const text = `[  1.0] Linux version 6.1\r\nGENOS-STAGE first-boot env1\r\n${banner}\r\nGENOS-PROVISIONED env1 ok\r\n`;
    const stages: string[] = [];
    for (let i = 0; i < text.length; i += 7) {
      for (const ev of t.feed(text.slice(i, i + 7))) stages.push(`${ev.kind}:${ev.stage}`);
    }
    expect(stages).toEqual(['stage:first-boot', 'stage:installing-packages', 'stage:ready']);
    expect(t.settled).toBe(true);
    expect(t.feed('GENOS-PROVISIONED env1 ok')).toEqual([]);
  });

  it('ignores markers of another instance and cloud-init banners before its own marker', () => {
    const t = new FirstBootTracker('env1', []);
    expect(t.feed(`${banner}\nGENOS-STAGE first-boot env10\nGENOS-PROVISIONED env2 ok\n`)).toEqual(
      [],
    );
    expect(t.stage).toBe('waiting');
  });

  it('fails the package stage naming the missing packages', () => {
    const t = new FirstBootTracker('env1', ['git', 'htop']);
    const evs = t.feed(
      `GENOS-STAGE first-boot env1\n${banner}\nGENOS-PROVISIONED env1 failed missing:git,htop\n`,
    );
    expect(evs.at(-1)).toMatchObject({ kind: 'failed', stage: 'installing-packages' });
    expect(evs.at(-1)!.message).toContain('git, htop');
  });

  it('reads the whole list of missing packages even when a chunk ends inside it', () => {
    const t = new FirstBootTracker('env1', ['git', 'htop']);
    const text =
      'GENOS-STAGE first-boot env1\r\nGENOS-PROVISIONED env1 failed missing:git,htop\r\n';
    const evs = [];
    for (let i = 0; i < text.length; i += 3) evs.push(...t.feed(text.slice(i, i + 3)));
    expect(evs.at(-1)).toMatchObject({ kind: 'failed', stage: 'installing-packages' });
    expect(evs.at(-1)!.message).toContain('git, htop');
  });

  it('fails the first boot when cloud-init never saw the seed', () => {
    const t = new FirstBootTracker('env1', []);
    const evs = t.feed(
      'Cloud-init v. 22.4.2 finished at Mon, 23 Nov 2026. Datasource DataSourceNone.  Up 30.1 seconds\n',
    );
    expect(evs).toEqual([expect.objectContaining({ kind: 'failed', stage: 'first-boot' })]);
  });
});
