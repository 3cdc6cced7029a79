import type { EnvironmentSpec, HostInfo } from '../../../preload/contract.js';
import { GenosError } from '../../core/errors.js';
import { bootArgs, displayArgs, netArgs, type Arch } from './argv-devices.js';
import { guestProfileFor, type BootSource, type GuestProfile } from './boot-source.js';
import { tpmArgs, uefiMachineArgs } from './firmware-argv.js';
import type { UefiFiles } from './firmware.js';
import { checkPlain, checkSocketPath, hostPath, optValue } from './qemu-opts.js';
import type { RuntimePaths } from './runtime-paths.js';

/**
 * The launch plan: (spec, host, boot source, runtime paths) -> the exact qemu binary and argv.
 * Pure and deterministic, so `genos up --dry-run` shows exactly what start() runs, and the unit
 * tests can check every rule (no TCP display/QMP, no option injection) without a qemu.
 */

export type ArgvInput = {
  spec: EnvironmentSpec;
  host: HostInfo;
  boot: BootSource;
  runtime: RuntimePaths;
  arch?: Arch;
  /** Overrides the profile derived from spec.os (e.g. a Windows image with virtio drivers). */
  profile?: Partial<GuestProfile>;
  /** UEFI firmware for aarch64 disk/ISO boot (x86_64 uses SeaBIOS, built in). */
  firmware?: string | null;
  /** x86_64 UEFI (spec.firmware "uefi"): OVMF CODE and the env's own VARS copy (firmware.ts). */
  uefi?: UefiFiles | null;
  /** The swtpm control socket when spec.tpm is set (tpm.ts starts swtpm before qemu). */
  tpmSocket?: string | null;
  /** -S: start with the CPUs stopped, so the console is attached before the first byte. */
  startPaused?: boolean;
  /** qemu's seccomp sandbox; on by default (needs qemu built with seccomp, as Debian's is). */
  sandbox?: boolean;
};

export type QemuCommand = { binary: string; argv: string[]; notes: string[] };

// Deny what a VM process never needs: obsolete syscalls, setuid, spawning processes, and
// changing its own scheduling/affinity. (Incompatible with -daemonize, which forks: we spawn.)
export const SANDBOX = 'on,obsolete=deny,elevateprivileges=deny,spawn=deny,resourcecontrol=deny';

function binaryFor(host: HostInfo, arch: Arch): string {
  const sys = host.qemu.systems.find((s) => s.arch === arch);
  if (!sys) {
    const pkg = arch === 'x86_64' ? 'qemu-system-x86' : 'qemu-system-arm';
    throw new GenosError(
      'UNAVAILABLE',
      `qemu-system-${arch} was not found on this host: install it (Debian/Ubuntu: ` +
        `sudo apt install ${pkg}) and refresh the host info.`,
    );
  }
  return hostPath(sys.path, `qemu-system-${arch} binary`);
}

function accelArgs(host: HostInfo, notes: string[]): string[] {
  if (host.accel.selected === 'kvm') {
    notes.push('Accelerator: KVM.');
    return ['-accel', 'kvm', '-cpu', 'host'];
  }
  notes.push(
    `Accelerator: TCG (software emulation, much slower than KVM). ${host.accel.kvm.reason}`.trim(),
  );
  // "max" gives a TCG guest every feature qemu can emulate (x86-64-v2+ for current distros).
  return ['-accel', 'tcg,thread=multi', '-cpu', 'max'];
}

function machineArgs(arch: Arch, input: ArgvInput, notes: string[]): string[] {
  if (arch === 'x86_64') {
    if (!input.uefi) return ['-machine', 'q35'];
    notes.push(
      `Firmware: UEFI (${input.uefi.code}${input.uefi.secureBoot ? ', Secure Boot' : ''}); its NVRAM is ${input.uefi.vars}.`,
    );
    return uefiMachineArgs(input.uefi);
  }
  const args = ['-machine', 'virt'];
  if (input.boot.kind !== 'kernel') {
    if (!input.firmware) {
      throw new GenosError(
        'UNSUPPORTED',
        'Booting an aarch64 disk or ISO needs UEFI firmware: install qemu-efi-aarch64 ' +
          '(Debian/Ubuntu) or boot a kernel directly.',
      );
    }
    args.push('-bios', hostPath(input.firmware, 'UEFI firmware'));
    notes.push(`Firmware: ${input.firmware}.`);
  }
  return args;
}

export function buildQemuArgv(input: ArgvInput): QemuCommand {
  const { spec, host, runtime } = input;
  if (spec.backend !== 'qemu') {
    throw new GenosError('BAD_ARGS', `The spec is for the ${spec.backend} backend, not qemu.`);
  }
  const arch = input.arch ?? 'x86_64';
  const profile = { ...guestProfileFor(spec), ...input.profile };
  const bus = { virtio: profile.virtio, arch };
  const notes: string[] = [];
  const binary = binaryFor(host, arch);

  const qmp = optValue(checkSocketPath(runtime.qmp, 'QMP'), 'QMP socket path');
  const serial = optValue(checkSocketPath(runtime.serial, 'serial'), 'serial socket path');
  const vnc = checkSocketPath(runtime.vnc, 'VNC');
  const spice = checkSocketPath(runtime.spice, 'SPICE');
  const gui = spec.display === 'gui';

  const argv = [
    // Only what is written here: no /etc/qemu config, no default NIC/serial/monitor/VGA.
    ...['-no-user-config', '-nodefaults'],
    ...['-name', `guest=${optValue(checkPlain(spec.name, 'environment name'), 'name')}`],
    ...machineArgs(arch, input, notes),
    ...accelArgs(host, notes),
    ...['-smp', String(spec.resources.cpus)],
    ...['-m', `${spec.resources.memoryMiB}M`],
    ...['-rtc', profile.rtcLocalTime ? 'base=localtime' : 'base=utc'],
    ...bootArgs(input.boot, bus),
    ...netArgs(spec.network.mode, spec.network.ports, bus),
    ...displayArgs(gui, { vnc, spice }, arch),
    ...(profile.virtio
      ? ['-device', 'virtio-balloon-pci,id=balloon0', '-device', 'virtio-rng-pci,id=rng0']
      : []),
    // Control and console on unix sockets in the 0700 runtime dir; never a TCP port. Every key
    // is named (path=, not -qmp unix:PATH): an implied first key would split a path at "=".
    ...['-chardev', `socket,id=qmp0,path=${qmp},server=on,wait=off`],
    ...['-mon', 'chardev=qmp0,mode=control'],
    ...['-chardev', `socket,id=serial0,path=${serial},server=on,wait=off`],
    ...['-serial', 'chardev:serial0'],
    // -pidfile takes its argument verbatim (no key=value parsing).
    ...['-pidfile', hostPath(runtime.pidfile, 'pidfile')],
    ...['-msg', 'timestamp=on'],
  ];
  if (input.tpmSocket) {
    argv.push(...tpmArgs(checkSocketPath(input.tpmSocket, 'swtpm')));
    notes.push('TPM 2.0: swtpm (its own process, ended with the VM); state kept in the env dir.');
  } else if (spec.tpm) {
    throw new GenosError('INTERNAL', 'The spec asks for a TPM but no swtpm socket was planned.');
  }
  if (input.sandbox !== false) argv.push('-sandbox', SANDBOX);
  if (input.startPaused) argv.push('-S');

  notes.push(
    profile.virtio
      ? 'Devices: virtio disk and network (the guest has virtio drivers).'
      : 'Devices: AHCI disk and e1000 network (no virtio drivers assumed for this OS).',
  );
  if (input.boot.kind === 'iso') notes.push('Boots the ISO first; the blank disk is second.');
  if (input.boot.kind !== 'kernel' && input.boot.drivers) {
    notes.push(`Drivers: ${input.boot.drivers} as a second cdrom (never booted).`);
  }
  if (spec.network.mode === 'isolated') {
    notes.push('Network: isolated (user-mode, restrict=on): no way out; forwards still work.');
  } else if (spec.network.mode === 'nat') {
    notes.push('Network: NAT (user-mode): the guest can reach out; forwards bind 127.0.0.1.');
  } else {
    notes.push('Network: none (no network card).');
  }
  notes.push(
    gui
      ? `Display: VNC (${runtime.vnc}) and SPICE (${runtime.spice}) on unix sockets, bridged ` +
          'to the app with short-lived tokens.'
      : 'Display: none (headless): no display device; use the serial console.',
  );
  if (input.startPaused) {
    notes.push('Starts with the CPUs stopped; GenOS attaches the console, then resumes.');
  }
  return { binary, argv, notes };
}
