/**
 * The last step: name, lifetime, restart policy and the fixed parts of the spec; stack and
 * hostile-text warnings; and the confidence, from how much of the prompt was understood.
 */
import type { EnvironmentSpec, NetworkMode, PortForward } from '../../preload/spec.js';
import type { Explainer } from './explain.js';
import { slugify } from './extract-name-image.js';
import type { Resources } from './finalize-resources.js';
import type { System } from './finalize-system.js';
import { chooseFirmware } from './firmware-choice.js';
import { correctionNote, pick } from './resolve.js';
import type { Scan } from './scan.js';

export const DEFAULT_HARDENING = {
  readOnlyRoot: false,
  capAdd: [],
  noNewPrivileges: true,
  pidsLimit: 512,
};

// Shell and SQL shapes: such text is never run, but the user should know it was only read.
const HOSTILE =
  /\brm\s+-[a-z]*[rf]|\$\(|`|&&|\|\||\|\s*(?:ba|z)?sh\b|>\s*\/dev\/|\bsudo\b|\bdrop\s+(?:table|database)\b|\bdelete\s+from\b|\binsert\s+into\b|\bunion\s+(?:all\s+)?select\b|\bselect\b[^.]*\bfrom\b|;\s*--|'\s*or\s+'?1'?\s*=\s*'?1|<\s*script|\bmkfs\b|:\(\)\s*\{/i;

function defaultName(system: System): string {
  if (system.image.kind === 'container-image') {
    const repo = system.image.ref.split('@')[0]!.split(':')[0]!.split('/').pop()!;
    return slugify(repo) ?? 'container';
  }
  const v = system.version;
  const withVersion = v && v !== 'rolling' && v !== 'latest' ? `${system.osId}-${v}` : system.osId;
  return slugify(withVersion) ?? system.osId;
}

function looksLikeStack(scan: Scan): boolean {
  if (scan.stack) return true;
  const oses = new Set(
    scan
      .claimsFor('os')
      .filter((c) => c.strength === 'strong')
      .map((c) => c.value.id),
  );
  const backends = new Set(
    scan
      .claimsFor('backend')
      .filter((c) => c.strength === 'strong')
      .map((c) => c.value),
  );
  return scan.corrections.length === 0 && (oses.size > 1 || backends.size > 1);
}

function confidence(scan: Scan, system: System, stack: boolean): number {
  let known = 0;
  let unknown = 0;
  for (const it of scan.items) {
    if (it.k === 'sep' || it.k === 'op') continue;
    if (it.k === 'word' && it.stop) continue;
    if (it.k === 'app' && it.ambiguous && !it.used) continue; // "go" as a verb
    if (
      it.k === 'kw' &&
      !it.used &&
      ['negation', 'listJoin', 'listStart', 'each', 'noun'].includes(it.kw.t)
    )
      continue;
    if (it.used) known++;
    else unknown++;
  }
  const ratio = known + unknown === 0 ? 0 : known / (known + unknown);
  let c = 0.4 + 0.6 * ratio;
  if (!pick(scan, 'os') && system.image.kind !== 'container-image') c -= 0.15;
  c -= 0.05 * scan.typos;
  c -= 0.05 * Math.min(scan.warnings.length, 6);
  if (stack) c -= 0.15;
  return Math.round(Math.min(1, Math.max(0.05, c)) * 100) / 100;
}

export function assemble(
  scan: Scan,
  ex: Explainer,
  prompt: string,
  system: System,
  resources: Resources,
  count: number,
  network: { mode: NetworkMode; ports: PortForward[] },
): { spec: EnvironmentSpec; confidence: number } {
  const nameClaim = pick(scan, 'name');
  const name = nameClaim?.value ?? defaultName(system);
  ex.fromClaims(
    'name',
    [nameClaim],
    nameClaim
      ? undefined
      : `made from the ${system.image.kind === 'container-image' ? 'image' : 'OS'}`,
  );
  const eph = pick(scan, 'ephemeral');
  ex.fromClaims('ephemeral', [eph], eph ? correctionNote(scan, eph) : 'kept until you delete it');
  const restart = pick(scan, 'restartPolicy');
  ex.fromClaims('restartPolicy', [restart], restart ? undefined : 'not restarted unless you ask');
  ex.byDefault('healthCheck', 'none');
  const stack = looksLikeStack(scan);
  if (stack) {
    scan.warn(
      'This reads like several environments working together (a stack), but GenOS could not tell them apart, so one environment was composed. Name each one as a vm or a container and join them with "and", e.g. "a postgres container and an ubuntu vm that uses it".',
    );
    scan.stack = scan.stack ?? [];
  }
  ex.byDefault(
    'requires',
    stack ? 'the other environments could not be told apart' : 'depends on no other environment',
  );
  ex.byDefault(
    'hardening',
    system.backend === 'docker'
      ? 'no new privileges, at most 512 processes, no added capabilities'
      : 'applies to containers only',
  );
  if (HOSTILE.test(prompt)) {
    scan.warn(
      'Parts of the prompt look like a shell command or SQL. Prompt text is never run: it was read as plain words, and only catalog names and numbers were taken from it.',
    );
  }
  const spec: EnvironmentSpec = {
    name,
    backend: system.backend,
    os: { id: system.osId, version: system.os ? system.version : null },
    resources,
    network,
    display: system.display,
    desktop: system.desktop,
    apps: system.apps,
    count,
    ephemeral: eph?.value ?? false,
    image: system.image,
    healthCheck: null,
    restartPolicy: restart?.value ?? 'never',
    requires: [],
    hardening: { ...DEFAULT_HARDENING, capAdd: [] },
    ...chooseFirmware(prompt, system, ex),
  };
  return { spec, confidence: confidence(scan, system, stack) };
}
