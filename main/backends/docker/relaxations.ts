/**
 * The sandbox defaults an environment relaxes, in words for the UI ("this environment may ...").
 * Every relaxation a spec can express is listed, so nothing weaker than the default runs unsaid.
 */
import type { EnvironmentSpec } from '../../../preload/contract.js';

export type Relaxation = {
  /** The spec field, e.g. "hardening.capAdd". */
  setting: string;
  text: string;
  risk: 'low' | 'medium' | 'high';
};

export const DEFAULT_PIDS_LIMIT = 512;

// Capabilities that amount to (nearly) root on the host kernel or break the sandbox's walls.
const HIGH_RISK_CAPS = new Set([
  'SYS_ADMIN',
  'SYS_MODULE',
  'SYS_RAWIO',
  'SYS_PTRACE',
  'SYS_BOOT',
  'SYS_TIME',
  'DAC_READ_SEARCH',
  'NET_ADMIN',
  'BPF',
  'PERFMON',
  'MAC_ADMIN',
  'MAC_OVERRIDE',
  'SYSLOG',
  'LINUX_IMMUTABLE',
]);

const CAP_WORDS: Record<string, string> = {
  NET_BIND_SERVICE: 'bind ports below 1024',
  CHOWN: 'change file owners',
  SETUID: 'switch user ids',
  SETGID: 'switch group ids',
  NET_RAW: 'use raw sockets (ping, packet capture)',
  NET_ADMIN: 'reconfigure its network (interfaces, routes, firewall)',
  SYS_ADMIN: 'mount filesystems and much more: close to full root on the host kernel',
  SYS_PTRACE: 'trace and inspect other processes',
  SYS_MODULE: 'load kernel modules into the host kernel',
  KILL: 'signal processes of other users',
  DAC_OVERRIDE: 'bypass file permission checks',
  FOWNER: 'bypass ownership checks on files',
};

export function describeRelaxations(spec: EnvironmentSpec): Relaxation[] {
  const out: Relaxation[] = [];
  const h = spec.hardening;
  for (const raw of [...new Set(h.capAdd)]) {
    const cap = raw.replace(/^CAP_/, '');
    const what = CAP_WORDS[cap];
    out.push({
      setting: 'hardening.capAdd',
      text: `Keeps the ${cap} capability${what ? ` (can ${what})` : ''}; all others are dropped.`,
      risk: HIGH_RISK_CAPS.has(cap) ? 'high' : 'medium',
    });
  }
  if (!h.noNewPrivileges) {
    out.push({
      setting: 'hardening.noNewPrivileges',
      text: 'Processes may gain privileges through setuid programs (no-new-privileges is off).',
      risk: 'medium',
    });
  }
  if (h.pidsLimit > DEFAULT_PIDS_LIMIT) {
    out.push({
      setting: 'hardening.pidsLimit',
      text: `May run up to ${h.pidsLimit} processes (default ${DEFAULT_PIDS_LIMIT}), so a fork bomb goes further.`,
      risk: 'low',
    });
  }
  if (spec.network.mode === 'nat') {
    out.push({
      setting: 'network.mode',
      text: 'Can reach your network and the internet through NAT (isolated and none cannot).',
      risk: 'medium',
    });
  }
  for (const p of spec.network.ports) {
    out.push({
      setting: 'network.ports',
      text: `Port ${p.host}/${p.protocol} on this computer (127.0.0.1 only) leads to port ${p.guest} inside.`,
      risk: 'low',
    });
  }
  return out;
}
