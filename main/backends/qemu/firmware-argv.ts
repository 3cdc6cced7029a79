import { blockdev } from './argv-devices.js';
import type { UefiFiles } from './firmware.js';
import { optValue } from './qemu-opts.js';

/**
 * The x86_64 machine line with UEFI: OVMF as two pflash chips given as -blockdev nodes (formats
 * named, so nothing is probed; CODE raw and read-only, VARS the env's own writable qcow2). Secure
 * Boot builds only run with SMM, and their flash must be "secure" so the guest OS cannot rewrite
 * the key store behind the firmware's back.
 */
export function uefiMachineArgs(uefi: UefiFiles): string[] {
  const smm = uefi.secureBoot ? ',smm=on' : '';
  const args = [
    ...['-machine', `q35,pflash0=ovmf-code,pflash1=ovmf-vars${smm}`],
    ...blockdev('ovmf-code', uefi.code, 'raw', true),
    ...blockdev('ovmf-vars', uefi.vars, 'qcow2', false),
  ];
  if (uefi.secureBoot) args.push('-global', 'driver=cfi.pflash01,property=secure,value=on');
  return args;
}

/** A TPM 2.0 on the CRB interface (what Windows 11 and current Linux expect), backed by swtpm. */
export function tpmArgs(socket: string): string[] {
  return [
    ...['-chardev', `socket,id=chrtpm,path=${optValue(socket, 'swtpm socket path')}`],
    ...['-tpmdev', 'emulator,id=tpm0,chardev=chrtpm'],
    ...['-device', 'tpm-crb,tpmdev=tpm0'],
  ];
}
