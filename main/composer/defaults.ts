/**
 * Defaults a user would expect, and the host limits they are clamped to. A desktop VM needs far
 * more than a headless container; the OS's own minimum raises the floor (Windows 11 wants 4 GiB).
 */
import type { Backend } from '../../preload/spec.js';
import type { OsEntry } from './catalog.js';

export type HostLimits = { cpuCount: number; memoryMiB: number };
export type Shape = { backend: Backend; display: 'gui' | 'headless'; os: OsEntry };

function shapeWords(s: Shape): string {
  if (s.backend === 'docker')
    return s.display === 'gui' ? 'a container with a desktop' : 'a headless container';
  return s.display === 'gui' ? 'a desktop VM' : 'a headless VM';
}

export function defaultCpus(s: Shape): { value: number; note: string } {
  const value = s.backend === 'qemu' && (s.display === 'gui' || s.os.family === 'windows') ? 4 : 2;
  return { value, note: `${value} CPUs for ${shapeWords(s)}` };
}

export function defaultMemory(s: Shape): { value: number; note: string } {
  const base =
    s.backend === 'docker' ? (s.display === 'gui' ? 2048 : 512) : s.display === 'gui' ? 4096 : 2048;
  const floor = s.os.minMemoryMiB[s.display];
  // Twice the OS's bare minimum leaves room to do something; never below the shape's base.
  const value = Math.max(base, s.backend === 'qemu' ? floor * 2 : floor);
  const why =
    value > base
      ? `${s.os.name} needs at least ${floor} MiB`
      : `the usual size for ${shapeWords(s)}`;
  return { value, note: `${value} MiB: ${why}` };
}

export function defaultDisk(s: Shape): { value: number; note: string } {
  const value =
    s.os.family === 'windows' ? 64 : s.backend === 'docker' ? 10 : s.display === 'gui' ? 40 : 20;
  return {
    value,
    note: `${value} GiB for ${s.os.family === 'windows' ? 'Windows' : shapeWords(s)}`,
  };
}

/** The most memory one environment may take: three quarters of the host, in 256 MiB steps. */
export function memoryCap(host: HostLimits): number {
  return Math.max(256, Math.floor((host.memoryMiB * 0.75) / 256) * 256);
}

export function validHost(host: HostLimits | undefined): host is HostLimits {
  return (
    !!host &&
    Number.isFinite(host.cpuCount) &&
    host.cpuCount >= 1 &&
    Number.isFinite(host.memoryMiB) &&
    host.memoryMiB >= 64
  );
}
