/**
 * What the LLM is told, and how its answer becomes claims. The answer must pass the same
 * EnvironmentSpec schema; then only fields the prompt's words left open may be filled from it,
 * and only with catalog ids — never images, kernels, health-check commands or port forwards.
 */
import type { EnvironmentSpec } from '../../preload/spec.js';
import { APPS, DESKTOPS, OSES, findApp, findDesktop, findOs, matchVersion } from './catalog.js';
import { slugify } from './extract-name-image.js';
import type { Claim } from './scan.js';

export function systemPrompt(): string {
  const oses = OSES.map(
    (o) =>
      `${o.id} (versions: ${o.versions.map((v) => v.version).join(', ')}; backends: ${o.backends.join('/')})`,
  );
  return [
    'You turn a request for a sandbox environment into one JSON object, and nothing else.',
    'The object has exactly these fields:',
    '  name: lower-case letters, digits and -, at most 63 characters',
    '  backend: "qemu" (a virtual machine) or "docker" (a container)',
    '  os: { id: an OS id from the list below, version: one of its versions or null }',
    '  resources: { cpus: integer 1-256, memoryMiB: integer MiB, diskGiB: integer GiB }',
    '  network: { mode: "nat" | "isolated" | "none", ports: [] }',
    '  display: "gui" or "headless"',
    '  desktop: a desktop id from the list below, or null',
    '  apps: app ids from the list below',
    '  count: integer 1-64',
    '  ephemeral: true or false',
    '  image: { kind: "catalog" }',
    '  healthCheck: null',
    '  restartPolicy: "never" | "on-failure" | "always"',
    '  requires: []',
    '  hardening: { readOnlyRoot: false, capAdd: [], noNewPrivileges: true, pidsLimit: 512 }',
    `OS ids: ${oses.join('; ')}.`,
    `App ids: ${APPS.map((a) => a.id).join(', ')}.`,
    `Desktop ids: ${DESKTOPS.map((d) => d.id).join(', ')}.`,
    'A rule engine has already read the request; its reading is given. Keep what it read from the words; fill what it left at a default only when the request implies something better.',
  ].join('\n');
}

export function userMessage(prompt: string, ruleSpec: EnvironmentSpec | null): string {
  return `Request: ${JSON.stringify(prompt)}\nRule engine's reading: ${ruleSpec ? JSON.stringify(ruleSpec) : 'none (it understood nothing)'}`;
}

/** The LLM's spec -> 'llm' claims for the fields it may fill; `rejected` lists what was refused. */
export function proposalClaims(spec: EnvironmentSpec): { claims: Claim[]; rejected: string[] } {
  const claims: Claim[] = [];
  const rejected: string[] = [];
  const base = { words: [] as string[], pos: Number.MAX_SAFE_INTEGER, strength: 'llm' as const };
  const os = findOs(spec.os.id);
  if (os) {
    claims.push({ ...base, field: 'os', value: { id: os.id } });
    if (spec.os.version !== null) {
      const v = matchVersion(os, spec.os.version);
      if (v)
        claims.push({
          ...base,
          field: 'version',
          value: { os: os.id, version: v.version, typed: spec.os.version },
        });
      else rejected.push(`os.version "${spec.os.version}"`);
    }
  } else if (spec.os.id !== 'linux') {
    rejected.push(`os.id "${spec.os.id}"`);
  }
  claims.push({ ...base, field: 'backend', value: spec.backend });
  claims.push({ ...base, field: 'cpus', value: spec.resources.cpus });
  claims.push({ ...base, field: 'memoryMiB', value: spec.resources.memoryMiB });
  claims.push({ ...base, field: 'diskGiB', value: spec.resources.diskGiB });
  claims.push({ ...base, field: 'network', value: spec.network.mode });
  claims.push({ ...base, field: 'display', value: spec.display });
  if (spec.desktop !== null) {
    if (findDesktop(spec.desktop)) claims.push({ ...base, field: 'desktop', value: spec.desktop });
    else rejected.push(`desktop "${spec.desktop}"`);
  }
  for (const id of spec.apps) {
    if (findApp(id)) claims.push({ ...base, field: 'app', value: { id, remove: false } });
    else rejected.push(`app "${id}"`);
  }
  claims.push({ ...base, field: 'count', value: spec.count });
  claims.push({ ...base, field: 'ephemeral', value: spec.ephemeral });
  claims.push({ ...base, field: 'restartPolicy', value: spec.restartPolicy });
  const name = slugify(spec.name);
  if (name) claims.push({ ...base, field: 'name', value: name });
  return { claims, rejected };
}

/** The JSON inside a chat answer, which models like to wrap in ``` fences or prose. */
export function extractJson(content: string): unknown {
  const fenced = /```(?:json)?\s*([\s\S]*?)```/i.exec(content);
  const text = (fenced ? fenced[1]! : content).trim();
  const start = text.indexOf('{');
  const end = text.lastIndexOf('}');
  if (start < 0 || end <= start) throw new Error('the answer holds no JSON object');
  return JSON.parse(text.slice(start, end + 1));
}
