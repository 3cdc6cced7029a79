import YAML from 'yaml';
import { GenosError } from '../core/errors.js';
import { desktopPackages, installedCheck } from './desktop-packages.js';
import { generatePassword, randomSalt, sha512Crypt } from './sha512-crypt.js';

/**
 * The cloud-init NoCloud seed for one environment: meta-data (instance-id, local-hostname),
 * user-data (#cloud-config) and, optionally, network-config. The guest prints markers on its
 * first serial port, which GenOS reads from the console log:
 *   GENOS-STAGE first-boot <instance-id>        (bootcmd: cloud-init has started)
 *   GENOS-PROVISIONED <instance-id> ok          (runcmd, last: packages done, user created)
 *   GENOS-PROVISIONED <instance-id> failed missing:<pkg,...>
 * runcmd runs in cloud-init's final stage, after package installation, so the second marker
 * means provisioning is over; it checks the packages because a failed install does not stop
 * cloud-init from reaching runcmd.
 */
export type SeedInput = {
  /** Stable per environment; a new id makes cloud-init run its once-per-instance work again. */
  instanceId: string;
  hostname: string;
  osId: string;
  /** 'apt' | 'dnf' | 'apk' | 'pacman' | 'zypper' | 'pkg' (os.json packageManager) */
  packageManager: string;
  /** Distribution package names, already resolved from the spec's apps. */
  packages?: string[];
  display: 'headless' | 'gui';
  desktop?: string | null;
  /** Overrides the built-in desktop package set. */
  desktopPackages?: string[];
  sshAuthorizedKeys?: string[];
  /** Default: generated. */
  password?: string;
  userName?: string;
  /** Adds a network-config that asks for DHCP on every e* interface (most images do that anyway). */
  networkConfig?: boolean;
};

export type Seed = {
  instanceId: string;
  userName: string;
  /** The plain password, for the UI to show (and the data dir to keep); never in user-data. */
  password: string;
  passwordHash: string;
  packages: string[];
  files: { 'meta-data': string; 'user-data': string; 'network-config'?: string };
  /** What the serial console prints when provisioning is over (followed by " ok" or " failed ..."). */
  marker: string;
};

const ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const LABEL = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;
const PACKAGE = /^@?[A-Za-z0-9][A-Za-z0-9+._:@/-]{0,127}$/;
const USER = /^[a-z_][a-z0-9_-]{0,31}$/;
const SSH_KEY =
  /^(ssh-(ed25519|rsa|dss)|ecdsa-sha2-nistp(256|384|521)|sk-(ssh-ed25519|ecdsa-sha2-nistp256)@openssh\.com) [A-Za-z0-9+/]+={0,3}( [^\r\n]{0,256})?$/;

export const PROVISIONED_MARKER = 'GENOS-PROVISIONED';
export const FIRST_BOOT_MARKER = 'GENOS-STAGE first-boot';

function bad(message: string): never {
  throw new GenosError('BAD_ARGS', message);
}

export function validHostname(name: string): string {
  const h = name.trim().toLowerCase().replace(/\.$/, '');
  if (h.length > 253 || !h.split('.').every((l) => LABEL.test(l)))
    bad(`"${name}" is not a valid host name: use letters, digits and '-', at most 63 per label.`);
  return h;
}

export function buildSeed(input: SeedInput): Seed {
  if (!ID.test(input.instanceId))
    bad(`The instance id "${input.instanceId}" may hold only letters, digits, '.', '_' and '-'.`);
  const hostname = validHostname(input.hostname);
  const userName = input.userName ?? 'genos';
  if (!USER.test(userName)) bad(`"${userName}" is not a valid user name.`);
  const keys = (input.sshAuthorizedKeys ?? []).map((k) => k.trim()).filter(Boolean);
  for (const k of keys)
    if (!SSH_KEY.test(k))
      bad('An SSH public key must be one line like "ssh-ed25519 AAAA... comment".');
  const gui = input.display === 'gui';
  const packages = [
    ...new Set([
      ...(input.packages ?? []),
      ...(gui
        ? (input.desktopPackages ??
          desktopPackages(input.osId, input.packageManager, input.desktop ?? null))
        : []),
    ]),
  ];
  for (const p of packages) if (!PACKAGE.test(p)) bad(`"${p}" is not a valid package name.`);

  const password = input.password ?? generatePassword();
  const passwordHash = sha512Crypt(password, randomSalt());
  const marker = `${PROVISIONED_MARKER} ${input.instanceId}`;
  const shortName = hostname.split('.')[0]!;

  const user: Record<string, unknown> = {
    name: userName,
    gecos: 'GenOS user',
    shell: shellFor(input.packageManager),
    lock_passwd: false,
    passwd: passwordHash,
    sudo: 'ALL=(ALL) NOPASSWD:ALL',
  };
  if (keys.length) user.ssh_authorized_keys = keys;
  const config: Record<string, unknown> = {
    hostname: shortName,
    ...(hostname.includes('.') ? { fqdn: hostname } : {}),
    preserve_hostname: false,
    manage_etc_hosts: true,
    users: [user],
    // With a key, SSH needs no password; without one, the password is the only way in.
    ssh_pwauth: keys.length === 0,
    chpasswd: { expire: false },
    bootcmd: [serialLine(`${FIRST_BOOT_MARKER} ${input.instanceId}`), REPEAT_OUTCOME],
  };
  if (input.packageManager === 'apk') config.doas = [`permit nopass ${userName} as root`];
  if (packages.length) {
    config.package_update = true;
    config.packages = packages;
  }
  const runcmd: unknown[] = [];
  if (gui && input.packageManager !== 'pkg' && input.packageManager !== 'apk') {
    // Cloud images boot to multi-user; the freshly installed display manager needs graphical.
    runcmd.push([
      'sh',
      '-c',
      'command -v systemctl >/dev/null && { systemctl set-default graphical.target; systemctl isolate graphical.target --no-block; } || true',
    ]);
  }
  runcmd.push(['sh', '-c', finalScript(input.instanceId, packages, input.packageManager)]);
  config.runcmd = runcmd;

  const files: Seed['files'] = {
    'meta-data': YAML.stringify({ 'instance-id': input.instanceId, 'local-hostname': shortName }),
    'user-data': `#cloud-config\n${YAML.stringify(config, { lineWidth: 0 })}`,
  };
  if (input.networkConfig) {
    files['network-config'] = YAML.stringify({
      version: 2,
      ethernets: { primary: { match: { name: 'e*' }, dhcp4: true } },
    });
  }
  return {
    instanceId: input.instanceId,
    userName,
    password,
    passwordHash,
    packages,
    files,
    marker,
  };
}

function shellFor(pm: string): string {
  if (pm === 'apk') return '/bin/ash';
  if (pm === 'pkg') return '/bin/sh';
  return '/bin/bash';
}

/**
 * runcmd runs once per instance, so a VM stopped (or a GenOS restarted) before its final marker
 * was read would never say how provisioning ended. The outcome is also kept in the guest, and
 * every later boot prints it again.
 */
const OUTCOME_DIR = '/var/lib/genos';
const OUTCOME_FILE = `${OUTCOME_DIR}/provisioned`;
const REPEAT_OUTCOME = `[ -f ${OUTCOME_FILE} ] && { printf '\\n'; cat ${OUTCOME_FILE}; } > /dev/ttyS0 2>/dev/null || true`;

/** A shell command that prints one line on the first serial port (ids are checked: no quoting issues). */
function serialLine(text: string): string {
  return `printf '\\n%s\\n' '${text}' > /dev/ttyS0 2>/dev/null || true`;
}

function finalScript(id: string, packages: string[], pm: string): string {
  const check = installedCheck(pm);
  const plain = packages.filter((p) => !p.startsWith('@')); // dnf groups are not rpm packages
  const lines = ['missing=""'];
  if (check && plain.length) {
    lines.push(
      `for p in ${plain.join(' ')}; do ${check} "$p" >/dev/null 2>&1 || missing="$missing,$p"; done`,
    );
  }
  lines.push(
    `if [ -z "$missing" ]; then s=ok; else s="failed missing:\${missing#,}"; fi`,
    `mkdir -p ${OUTCOME_DIR} && printf '%s %s\\n' '${PROVISIONED_MARKER} ${id}' "$s" > ${OUTCOME_FILE}`,
    // Durable before it is reported: cloud-init's own once-per-instance records too, so a VM
    // killed right after "ready" neither provisions again nor forgets how it ended.
    'sync',
    `printf '\\n%s %s\\n' '${PROVISIONED_MARKER} ${id}' "$s" > /dev/ttyS0 2>/dev/null || true`,
  );
  return lines.join('\n');
}

export type ProvisionOutcome = { state: 'ok' } | { state: 'failed'; missing: string[] };

/** Finds the final marker for `instanceId` in serial console output. */
export function findProvisionMarker(output: string, instanceId: string): ProvisionOutcome | null {
  const esc = instanceId.replace(/[.]/g, '\\.');
  // The line end is part of the marker: the serial console delivers it in pieces, and a cut-off
  // "failed missing:vi" must not be read as a finished verdict naming "vi" instead of "vim".
  const m = new RegExp(`${PROVISIONED_MARKER} ${esc} (ok|failed missing:(\\S*))\\r?\\n`).exec(
    output,
  );
  if (!m) return null;
  return m[1] === 'ok'
    ? { state: 'ok' }
    : { state: 'failed', missing: (m[2] ?? '').split(',').filter(Boolean) };
}
