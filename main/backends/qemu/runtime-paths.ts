import path from 'node:path';

/**
 * The files of one running VM. They live in a per-environment runtime dir (0700, so only the
 * user can reach the sockets): qmp.sock, vnc.sock and spice.sock carry full control of the VM,
 * which is why they are unix sockets there and never TCP ports.
 */
export type RuntimePaths = {
  dir: string;
  qmp: string;
  serial: string;
  vnc: string;
  spice: string;
  pidfile: string;
  /** qemu's own stdout/stderr (warnings, the reason it refused to start or died). */
  qemuLog: string;
  /** The guest's serial output, kept by the serial console (size-capped, rotated). */
  consoleLog: string;
  /** What GenOS recorded at launch, to recognise its qemu again after a restart. */
  instance: string;
  /** How the VM ended, when GenOS saw it end (exit status, QMP SHUTDOWN reason). */
  exit: string;
  /** Scratch file for QMP screendump (qemu writes it, we read and delete it). */
  screendump: string;
};

export function runtimePaths(dir: string): RuntimePaths {
  const f = (name: string) => path.join(dir, name);
  return {
    dir,
    qmp: f('qmp.sock'),
    serial: f('serial.sock'),
    vnc: f('vnc.sock'),
    spice: f('spice.sock'),
    pidfile: f('qemu.pid'),
    qemuLog: f('qemu.log'),
    consoleLog: f('console.log'),
    instance: f('instance.json'),
    exit: f('exit.json'),
    screendump: f('screendump.png'),
  };
}

/** `<dataDir>/run/<envId>`: one runtime dir per environment, found again from the id alone. */
export function runtimeDirFor(dataDir: string, envId: string): string {
  return path.join(dataDir, 'run', envId);
}

/** `<dataDir>/qemu/<envId>`: what outlives a run (disk overlay, blank install disk, vmstate). */
export function envDirFor(dataDir: string, envId: string): string {
  return path.join(dataDir, 'qemu', envId);
}
