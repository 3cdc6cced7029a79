import type { HostInfo } from '../../preload/contract.js';
import { probeEngine, type EngineProbe } from './engine-probe.js';
import { DEFAULT_KVM_DEADLINE_MS, probeAccel } from './kvm-probe.js';
import type { AccelVerdict } from './kvm-verdict.js';
import { collectMissing, ENGINE_MISSING, engineMissing } from './missing.js';
import { probeQemuBinaries, type QemuBinaries } from './qemu-binaries.js';
import { probeSystem, type SystemInfo } from './system-probe.js';
import { probeVmExtras, type VmExtras } from './vm-extras-probe.js';

export type ProbeOptions = {
  dataDir: string;
  /** How long the KVM (and TCG control) probe guest may take to finish; default 3000 ms. */
  kvmDeadlineMs?: number;
  env?: NodeJS.ProcessEnv;
};

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** Sub-probes turn failures into data themselves; this catches the bugs they did not foresee. */
function guard<T>(p: Promise<T>, fallback: (e: unknown) => T): Promise<T> {
  return p.catch(fallback);
}

/**
 * What this host can run: QEMU binaries, whether KVM really works, a container engine, CPU, RAM
 * and disk, plus what is missing and how to install it. Sub-probes run concurrently; the KVM
 * probe only waits for the qemu binary lookup. Never throws.
 */
export async function probeHost(opts: ProbeOptions): Promise<HostInfo> {
  const env = opts.env ?? process.env;
  const probedAt = new Date().toISOString();

  const qemuP = guard(probeQemuBinaries(env), (): QemuBinaries => ({
    systems: [],
    img: null,
    broken: [],
  }));
  const accelP = qemuP.then((q) =>
    guard(
      probeAccel({
        qemuPath: q.systems.find((s) => s.arch === 'x86_64')?.path ?? null,
        deadlineMs: opts.kvmDeadlineMs ?? DEFAULT_KVM_DEADLINE_MS,
        env,
      }),
      (e): AccelVerdict => {
        const problem = `the KVM probe failed unexpectedly: ${message(e)}`;
        return {
          kvm: { devicePresent: false, usable: false, reason: problem },
          selected: 'none',
          kvmFinding: { problem, fix: null },
          qemuFinding: null,
        };
      },
    ),
  );
  const engineP = guard(probeEngine(env), (e): EngineProbe => ({
    engine: {
      kind: null,
      endpoint: null,
      version: null,
      apiVersion: null,
      tried: [{ endpoint: '(probe)', error: message(e) }],
    },
    fix: 'Install and start Docker or Podman',
  }));
  const systemP = guard(probeSystem(opts.dataDir), (): SystemInfo => ({
    os: { platform: process.platform, release: 'unknown', arch: process.arch },
    cpu: { count: 0, model: 'unknown' },
    memory: { totalMiB: 0, freeMiB: 0 },
    disk: null,
  }));

  const extrasP = guard(probeVmExtras(env), (): VmExtras => ({ ovmf: true, swtpm: true }));
  const [system, qemu, accel, engine, extras] = await Promise.all([
    systemP,
    qemuP,
    accelP,
    engineP,
    extrasP,
  ]);
  return {
    probedAt,
    ...system,
    qemu: { systems: qemu.systems, img: qemu.img },
    accel: { kvm: accel.kvm, selected: accel.selected },
    engine: engine.engine,
    missing: collectMissing({
      qemu,
      kvmFinding: accel.kvmFinding,
      qemuFinding: accel.qemuFinding,
      engine,
      extras,
    }),
  };
}

/** The report with its engine part (the engine and its "missing" entry) probed again. */
export async function withEngineProbed(
  info: HostInfo,
  env: NodeJS.ProcessEnv = process.env,
): Promise<HostInfo> {
  const engine = await probeEngine(env);
  const entry = engineMissing(engine);
  return {
    ...info,
    engine: engine.engine,
    missing: [...info.missing.filter((m) => m.what !== ENGINE_MISSING), ...(entry ? [entry] : [])],
  };
}
