/**
 * Resources, network, ports and count: defaults by shape, limits that make no sense (0 MiB, -2
 * CPUs, 70000 as a port) as errors, and clamping to the host with a warning.
 */
import type { NetworkMode, PortForward } from '../../preload/spec.js';
import {
  defaultCpus,
  defaultDisk,
  defaultMemory,
  memoryCap,
  validHost,
  type HostLimits,
  type Shape,
} from './defaults.js';
import type { Explainer } from './explain.js';
import { correctionNote, pick } from './resolve.js';
import type { Scan } from './scan.js';

const MAX_CPUS = 256;
const MAX_MEMORY_MIB = 4 * 1024 * 1024;
const MIN_MEMORY_MIB = 16;
const MAX_DISK_GIB = 64 * 1024;
const MAX_COUNT = 64;

export type Resources = { cpus: number; memoryMiB: number; diskGiB: number };

export function chooseResources(
  scan: Scan,
  ex: Explainer,
  shape: Shape,
  hostIn: HostLimits | undefined,
): Resources {
  const host = validHost(hostIn) ? hostIn : undefined;
  const cpuClaim = pick(scan, 'cpus');
  const memClaim = pick(scan, 'memoryMiB');
  const diskClaim = pick(scan, 'diskGiB');
  const d = { cpus: defaultCpus(shape), mem: defaultMemory(shape), disk: defaultDisk(shape) };
  let cpus = cpuClaim?.value ?? d.cpus.value;
  let memoryMiB = memClaim?.value ?? d.mem.value;
  const diskGiB = diskClaim?.value ?? d.disk.value;
  ex.fromClaims(
    'resources.cpus',
    [cpuClaim],
    cpuClaim ? correctionNote(scan, cpuClaim) : d.cpus.note,
  );
  ex.fromClaims(
    'resources.memoryMiB',
    [memClaim],
    memClaim ? correctionNote(scan, memClaim) : d.mem.note,
  );
  ex.fromClaims(
    'resources.diskGiB',
    [diskClaim],
    diskClaim ? correctionNote(scan, diskClaim) : d.disk.note,
  );

  if (cpus < 1) scan.fail(`${cpus} CPUs cannot run anything: an environment needs at least 1 CPU.`);
  else if (cpus > MAX_CPUS)
    scan.fail(`${cpus} CPUs is more than any environment can have (at most ${MAX_CPUS}).`);
  if (memoryMiB <= 0)
    scan.fail(
      `${memoryMiB} MiB of memory cannot boot anything: ask for at least ${MIN_MEMORY_MIB} MiB.`,
    );
  else if (memoryMiB < MIN_MEMORY_MIB)
    scan.fail(
      `${memoryMiB} MiB of memory is too little to boot anything: ask for at least ${MIN_MEMORY_MIB} MiB.`,
    );
  else if (memoryMiB > MAX_MEMORY_MIB)
    scan.fail(`${memoryMiB} MiB of memory is more than GenOS allows (at most 4 TiB).`);
  if (diskGiB < 1) scan.fail(`A ${diskGiB} GiB disk cannot hold an OS: ask for at least 1 GiB.`);
  else if (diskGiB > MAX_DISK_GIB)
    scan.fail(`A ${diskGiB} GiB disk is more than GenOS allows (at most 64 TiB).`);

  const min = shape.os.minMemoryMiB[shape.display];
  if (memClaim && memoryMiB >= MIN_MEMORY_MIB && memoryMiB < min) {
    scan.warn(
      `${shape.os.name} needs at least ${min} MiB ${shape.display === 'gui' ? 'with a desktop' : 'to boot'}; ${memoryMiB} MiB may not be enough.`,
    );
  }
  if (host && cpus > host.cpuCount && cpus <= MAX_CPUS) {
    const asked = cpuClaim ? `Asked for ${cpus} CPUs` : `The default is ${cpus} CPUs`;
    scan.warn(`${asked}, but this host has ${host.cpuCount}; using ${host.cpuCount}.`);
    ex.addNote('resources.cpus', `clamped from ${cpus} to the host's ${host.cpuCount}`);
    cpus = host.cpuCount;
  }
  const cap = host ? memoryCap(host) : Infinity;
  if (memoryMiB > cap && memoryMiB <= MAX_MEMORY_MIB) {
    const asked = memClaim
      ? `Asked for ${memoryMiB} MiB of memory`
      : `The default is ${memoryMiB} MiB of memory`;
    scan.warn(
      `${asked}, but this host has ${host!.memoryMiB} MiB; using ${cap} MiB (leaving room for the host).`,
    );
    ex.addNote('resources.memoryMiB', `clamped from ${memoryMiB} MiB to ${cap} MiB for this host`);
    memoryMiB = cap;
  }
  return { cpus, memoryMiB, diskGiB };
}

export function chooseCount(
  scan: Scan,
  ex: Explainer,
  memoryMiB: number,
  host: HostLimits | undefined,
): number {
  const claim = pick(scan, 'count');
  const count = claim?.value ?? 1;
  ex.fromClaims('count', [claim], claim ? correctionNote(scan, claim) : 'one environment');
  if (count < 1) scan.fail(`A count of ${count} makes nothing: ask for at least one.`);
  else if (count > MAX_COUNT)
    scan.fail(
      `${count} environments at once is more than GenOS makes from one prompt (at most ${MAX_COUNT}).`,
    );
  else if (count > 1 && validHost(host) && count * memoryMiB > host.memoryMiB) {
    scan.warn(
      `${count} environments with ${memoryMiB} MiB each need ${count * memoryMiB} MiB together; this host has ${host.memoryMiB} MiB, so not all can run at once.`,
    );
  }
  return count;
}

export function chooseNetwork(
  scan: Scan,
  ex: Explainer,
  fallback: NetworkMode | undefined,
  count: number,
): { mode: NetworkMode; ports: PortForward[] } {
  const claim = pick(scan, 'network');
  const mode = claim?.value ?? fallback ?? 'nat';
  ex.fromClaims(
    'network.mode',
    [claim],
    claim
      ? correctionNote(scan, claim)
      : fallback
        ? 'the default network from settings'
        : 'NAT: the guest can reach out, nothing can reach in',
  );
  const portClaims = scan.claimsFor('port');
  const ports: PortForward[] = [];
  const seen = new Set<string>();
  for (const c of portClaims) {
    const p = c.value;
    const key = `${p.host}/${p.protocol}`;
    if (seen.has(key)) {
      scan.warn(
        `Host port ${p.host}/${p.protocol} was forwarded twice; only the first (${ports.find((q) => `${q.host}/${q.protocol}` === key)?.guest}) is kept.`,
      );
      continue;
    }
    seen.add(key);
    ports.push(p);
  }
  if (ports.length > 64)
    scan.fail(`${ports.length} port forwards are more than one environment may have (at most 64).`);
  if (mode === 'none' && ports.length > 0) {
    scan.warn(
      `Port forwards were dropped: with no network there is nothing to forward to (${ports.map((p) => `${p.host}:${p.guest}`).join(', ')}).`,
    );
    ex.fromClaims('network.ports', portClaims, 'dropped: the network is none');
    return { mode, ports: [] };
  }
  if (count > 1 && ports.length > 0) {
    scan.warn(
      `${count} copies cannot all use host port ${ports[0]!.host}; only the first gets the forwards as asked.`,
    );
  }
  ex.fromClaims(
    'network.ports',
    portClaims,
    portClaims.length === 0 ? 'no ports forwarded' : undefined,
  );
  return { mode, ports: ports.slice(0, 64) };
}
