import type { HostInfo } from '../../preload/contract.js';

/** `genos doctor`'s human report: one section per facility, ✓/✗ lines, fixes right below. */

type MissingItem = HostInfo['missing'][number];

const OK = '✓';
const BAD = '✗';

function gib(mib: number): string {
  return `${(mib / 1024).toFixed(1)} GiB`;
}

class Report {
  private lines: string[] = [];
  private claimed = new Set<MissingItem>();

  constructor(private readonly missing: MissingItem[]) {}

  section(title: string) {
    if (this.lines.length > 0) this.lines.push('');
    this.lines.push(title);
  }

  item(ok: boolean, text: string) {
    this.lines.push(`  ${ok ? OK : BAD} ${text}`);
  }

  note(text: string) {
    this.lines.push(`      ${text}`);
  }

  /**
   * Prints the named missing entries under the current item. `show` drops what the item line
   * already said: the engine's tried list is its why; the KVM reason holds both why and fix.
   */
  hints(what: (w: string) => boolean, show: 'why+fix' | 'fix' | 'none') {
    for (const m of this.missing) {
      if (this.claimed.has(m) || !what(m.what)) continue;
      this.claimed.add(m);
      if (show === 'why+fix') this.note(`why: ${m.why}`);
      if (show !== 'none') this.note(`fix: ${m.install}`);
    }
  }

  unclaimed(): MissingItem[] {
    return this.missing.filter((m) => !this.claimed.has(m));
  }

  text(): string {
    return this.lines.join('\n') + '\n';
  }
}

export function formatHostReport(info: HostInfo, elapsedMs?: number): string {
  const r = new Report(info.missing);
  const took = elapsedMs === undefined ? '' : ` in ${elapsedMs} ms`;
  r.section(`GenOS host check (probed ${info.probedAt}${took})`);

  r.section('System');
  r.item(true, `${info.os.platform} ${info.os.release} (${info.os.arch})`);
  r.item(
    info.cpu.count > 0,
    `${info.cpu.count} CPU${info.cpu.count === 1 ? '' : 's'}: ${info.cpu.model}`,
  );
  r.item(
    info.memory.totalMiB > 0,
    `memory: ${gib(info.memory.freeMiB)} free of ${gib(info.memory.totalMiB)}`,
  );
  if (info.disk)
    r.item(
      true,
      `disk: ${gib(info.disk.freeMiB)} free of ${gib(info.disk.totalMiB)} for ${info.disk.path}`,
    );
  else r.item(false, 'disk: free space of the data dir could not be measured');

  r.section('QEMU');
  const x86 = info.qemu.systems.find((s) => s.arch === 'x86_64');
  r.item(
    !!x86,
    x86 ? `qemu-system-x86_64 ${x86.version} (${x86.path})` : 'qemu-system-x86_64 not found',
  );
  r.hints((w) => w === 'qemu-system-x86_64', 'why+fix');
  const others = info.qemu.systems.filter((s) => s !== x86).map((s) => s.arch);
  if (others.length > 0) r.note(`other guest architectures: ${others.join(', ')}`);
  const img = info.qemu.img;
  r.item(!!img, img ? `qemu-img ${img.version} (${img.path})` : 'qemu-img not found');
  r.hints((w) => w === 'qemu-img', 'why+fix');

  r.section('Acceleration');
  const kvm = info.accel.kvm;
  r.item(
    kvm.usable,
    `KVM ${kvm.usable ? 'usable' : 'not usable'}${kvm.devicePresent ? '' : ' (no /dev/kvm)'}`,
  );
  r.note(kvm.reason);
  r.hints((w) => w === 'KVM', 'none');
  const selected = {
    kvm: 'VMs run with KVM',
    tcg: 'VMs run with TCG software emulation (slower)',
    none: 'no accelerator works: VMs cannot run',
  };
  r.item(info.accel.selected !== 'none', selected[info.accel.selected]);
  r.hints((w) => w === 'working QEMU', 'why+fix');

  r.section('Container engine');
  const e = info.engine;
  if (e.kind)
    r.item(
      true,
      `${e.kind} ${e.version ?? '(version unknown)'}${e.apiVersion ? ` (API ${e.apiVersion})` : ''} at ${e.endpoint}`,
    );
  else r.item(false, 'no Docker or Podman engine answered');
  for (const t of e.tried) r.note(`tried ${t.endpoint}: ${t.error}`);
  r.hints((w) => w.startsWith('container engine'), 'fix');

  const rest = r.unclaimed();
  if (rest.length > 0) {
    r.section('Also missing');
    for (const m of rest) {
      r.item(false, m.what);
      r.note(`why: ${m.why}`);
      r.note(`fix: ${m.install}`);
    }
  }
  r.section(
    info.missing.length === 0
      ? 'Everything GenOS needs is here.'
      : `${info.missing.length} thing(s) need attention (marked ${BAD} above).`,
  );
  return r.text();
}
