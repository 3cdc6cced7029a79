import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { buildProbeBios } from './probe-bios.js';
import { runProbeGuest, type GuestRun } from './probe-guest.js';
import { bootBlocker, judgeAccel, type AccelVerdict, type KvmHostFacts } from './kvm-verdict.js';

export const KVM_DEVICE = '/dev/kvm';
export const DEFAULT_KVM_DEADLINE_MS = 3_000;

/** Where the facts come from; tests pass fakes, the probe the real machine. */
export type KvmFactSources = {
  platform: string;
  arch: string;
  isCharDevice(file: string): Promise<boolean>;
  canReadWrite(file: string): Promise<boolean>;
  readCpuinfo(): Promise<string | null>;
};

export const realSources: KvmFactSources = {
  platform: process.platform,
  arch: process.arch,
  isCharDevice: (file) =>
    fs.stat(file).then(
      (st) => st.isCharacterDevice(),
      () => false,
    ),
  canReadWrite: (file) =>
    fs.access(file, fs.constants.R_OK | fs.constants.W_OK).then(
      () => true,
      () => false,
    ),
  readCpuinfo: () => fs.readFile('/proc/cpuinfo', 'utf8').catch(() => null),
};

/** 'vmx' / 'svm' when a "flags" line lists it, 'none' when flags are listed without it, null when unknown. */
export function virtFlagFrom(cpuinfo: string | null): KvmHostFacts['virtFlag'] {
  if (cpuinfo === null) return null;
  let sawFlags = false;
  for (const line of cpuinfo.split('\n')) {
    const m = /^flags\s*:(.*)$/.exec(line);
    if (!m) continue;
    sawFlags = true;
    const flags = new Set((m[1] ?? '').trim().split(/\s+/));
    if (flags.has('vmx')) return 'vmx';
    if (flags.has('svm')) return 'svm';
  }
  return sawFlags ? 'none' : null;
}

export async function readKvmFacts(src: KvmFactSources = realSources): Promise<KvmHostFacts> {
  const [devicePresent, deviceAccessible, cpuinfo] = await Promise.all([
    src.isCharDevice(KVM_DEVICE),
    src.canReadWrite(KVM_DEVICE),
    src.readCpuinfo(),
  ]);
  return {
    platform: src.platform,
    arch: src.arch,
    devicePresent,
    deviceAccessible,
    virtFlag: virtFlagFrom(cpuinfo),
  };
}

export type AccelProbe = AccelVerdict & {
  facts: KvmHostFacts;
  kvmRun: GuestRun | null;
  tcgRun: GuestRun | null;
};

export type AccelOptions = {
  qemuPath: string | null;
  deadlineMs?: number;
  env?: NodeJS.ProcessEnv;
  sources?: KvmFactSources;
  /** Boot under KVM even when the host facts rule it out (for tests and diagnosis). */
  forceKvmBoot?: boolean;
};

/**
 * Decides between KVM, TCG and nothing by booting the probe guest under KVM (unless the host
 * facts already rule it out) and, as a control, under TCG — both at once, so the probe costs at
 * most one deadline. Never throws.
 */
export async function probeAccel(opts: AccelOptions): Promise<AccelProbe> {
  const deadlineMs = opts.deadlineMs ?? DEFAULT_KVM_DEADLINE_MS;
  const facts = await readKvmFacts(opts.sources);
  let kvmRun: GuestRun | null = null;
  let tcgRun: GuestRun | null = null;
  if (opts.qemuPath) {
    const qemu = opts.qemuPath;
    const bootKvm = opts.forceKvmBoot === true || bootBlocker(facts) === null;
    let dir: string | null = null;
    try {
      dir = await fs.mkdtemp(path.join(os.tmpdir(), 'genos-kvm-probe-'));
      const biosPath = path.join(dir, 'probe-bios.bin');
      await fs.writeFile(biosPath, buildProbeBios());
      const run = (accel: 'kvm' | 'tcg') =>
        runProbeGuest({ qemu, biosPath, accel, deadlineMs, env: opts.env });
      [kvmRun, tcgRun] = await Promise.all([bootKvm ? run('kvm') : null, run('tcg')]);
    } catch (e) {
      const detail = `could not prepare the probe guest: ${e instanceof Error ? e.message : String(e)}`;
      tcgRun = { accel: 'tcg', outcome: 'spawn-failed', startMs: null, doneMs: null, detail };
    } finally {
      if (dir) await fs.rm(dir, { recursive: true, force: true }).catch(() => undefined);
    }
  }
  const verdict = judgeAccel({ facts, qemuPath: opts.qemuPath, kvmRun, tcgRun, deadlineMs });
  return { ...verdict, facts, kvmRun, tcgRun };
}
