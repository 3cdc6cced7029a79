/**
 * The chips' inline editors: which control each field gets, its starting text, and how the text
 * becomes the field's value (checked against the contract's schema, for the UI only: the server
 * checks again).
 */
import { EnvironmentSpec } from '../../../preload/contract';
import type { ImageSource, PortForward } from '../../../preload/contract';
import { readField } from './compose-fields';
import type { FieldId, FieldValues } from './compose-fields';

export type Choice = { value: string; label: string };
export type EditorKind =
  | { kind: 'select'; choices: Choice[] }
  | { kind: 'number'; min: number; max: number; unit: string | null }
  | { kind: 'text'; hint: string }
  | { kind: 'os' }
  | { kind: 'image' };

export const FIELD_EDITORS: Record<FieldId, EditorKind> = {
  backend: {
    kind: 'select',
    choices: [
      { value: 'qemu', label: 'qemu (virtual machine)' },
      { value: 'docker', label: 'docker (container)' },
    ],
  },
  os: { kind: 'os' },
  image: { kind: 'image' },
  display: {
    kind: 'select',
    choices: [
      { value: 'headless', label: 'headless' },
      { value: 'gui', label: 'gui' },
    ],
  },
  apps: { kind: 'text', hint: 'Catalog ids, separated by commas: git, python, vscode' },
  cpus: { kind: 'number', min: 1, max: 256, unit: null },
  memory: { kind: 'number', min: 16, max: 4 * 1024 * 1024, unit: 'MiB' },
  disk: { kind: 'number', min: 1, max: 64 * 1024, unit: 'GiB' },
  network: {
    kind: 'select',
    choices: [
      { value: 'nat', label: 'NAT (can reach out)' },
      { value: 'isolated', label: 'isolated (no way out)' },
      { value: 'none', label: 'none (no network card)' },
    ],
  },
  ports: { kind: 'text', hint: 'host:guest, separated by commas: 2222:22, 8080:80/udp' },
  count: { kind: 'number', min: 1, max: 64, unit: null },
  name: { kind: 'text', hint: 'Lower-case letters, digits and -' },
  ephemeral: {
    kind: 'select',
    choices: [
      { value: 'no', label: 'no, kept' },
      { value: 'yes', label: 'yes, deleted when stopped' },
    ],
  },
};

/** The editor's starting text for a field. */
export function fieldText(spec: EnvironmentSpec, id: FieldId): string {
  switch (id) {
    case 'apps':
      return spec.apps.join(', ');
    case 'ports':
      return spec.network.ports
        .map((p) => `${p.host}:${p.guest}${p.protocol === 'udp' ? '/udp' : ''}`)
        .join(', ');
    case 'ephemeral':
      return spec.ephemeral ? 'yes' : 'no';
    default: {
      const value = readField(spec, id);
      return typeof value === 'object' ? '' : String(value);
    }
  }
}

export type Parsed<T> = { ok: true; value: T } | { ok: false; error: string };

function firstIssue(result: { success: boolean; error?: { issues: { message: string }[] } }) {
  return result.error?.issues[0]?.message ?? 'not a valid value';
}

function parsePorts(text: string): Parsed<PortForward[]> {
  const parts = text.split(/[\s,]+/).filter(Boolean);
  if (parts.length > 64) return { ok: false, error: 'At most 64 port forwards.' };
  const ports: PortForward[] = [];
  for (const part of parts) {
    const match = /^(\d{1,5})(?::(\d{1,5}))?(?:\/(tcp|udp))?$/i.exec(part);
    if (!match)
      return { ok: false, error: `"${part}" is not host:guest (e.g. 2222:22 or 8080:80/udp).` };
    const host = Number(match[1]);
    const guest = Number(match[2] ?? match[1]);
    if ([host, guest].some((p) => p < 1 || p > 65535))
      return { ok: false, error: `"${part}": ports are 1 to 65535.` };
    ports.push({ host, guest, protocol: match[3]?.toLowerCase() === 'udp' ? 'udp' : 'tcp' });
  }
  return { ok: true, value: ports };
}

/** An editor's text as the field's value, or why it is not one (the server checks again). */
export function parseFieldText<K extends FieldId>(id: K, text: string): Parsed<FieldValues[K]> {
  const trimmed = text.trim();
  const ok = (value: unknown) => ({ ok: true, value }) as Parsed<FieldValues[K]>;
  const editor = FIELD_EDITORS[id];
  if (editor.kind === 'number') {
    const n = Number(trimmed);
    if (trimmed === '' || !Number.isInteger(n) || n < editor.min || n > editor.max) {
      const unit = editor.unit ? ` ${editor.unit}` : '';
      return {
        ok: false,
        error: `Enter a whole number from ${editor.min} to ${editor.max}${unit}.`,
      };
    }
    return ok(n);
  }
  if (editor.kind === 'select') {
    if (!editor.choices.some((c) => c.value === trimmed))
      return { ok: false, error: `Pick one of ${editor.choices.map((c) => c.value).join(', ')}.` };
    return ok(id === 'ephemeral' ? trimmed === 'yes' : trimmed);
  }
  switch (id) {
    case 'name': {
      const result = EnvironmentSpec.shape.name.safeParse(trimmed);
      return result.success ? ok(result.data) : { ok: false, error: firstIssue(result) };
    }
    case 'apps': {
      const apps = [...new Set(trimmed.split(/[\s,]+/).filter(Boolean))];
      const result = EnvironmentSpec.shape.apps.safeParse(apps);
      return result.success ? ok(result.data) : { ok: false, error: firstIssue(result) };
    }
    case 'ports':
      return parsePorts(trimmed) as Parsed<FieldValues[K]>;
    default:
      return { ok: false, error: 'This field has its own editor.' };
  }
}

/** The OS editor's two boxes as the spec's `os`. An empty version means the latest. */
export function parseOs(idText: string, versionText: string): Parsed<FieldValues['os']> {
  const version = versionText.trim() === '' ? null : versionText.trim();
  const result = EnvironmentSpec.shape.os.safeParse({ id: idText.trim().toLowerCase(), version });
  return result.success
    ? { ok: true, value: result.data }
    : { ok: false, error: firstIssue(result) };
}

/** The image editor's choice as an image source. */
export function parseImage(
  kind: string,
  libraryId: string,
  ref: string,
  current: ImageSource,
): Parsed<ImageSource> {
  if (kind === 'catalog') return { ok: true, value: { kind: 'catalog' } };
  if (kind === 'library') {
    if (!libraryId) return { ok: false, error: 'Pick an image from the library.' };
    return { ok: true, value: { kind: 'library', imageId: libraryId } };
  }
  if (kind === 'container-image') {
    const trimmed = ref.trim();
    if (!trimmed || trimmed.length > 255 || /\s/.test(trimmed))
      return { ok: false, error: 'Enter an image reference such as alpine:3.20.' };
    return { ok: true, value: { kind: 'container-image', ref: trimmed } };
  }
  if (kind === 'kernel' && current.kind === 'kernel') return { ok: true, value: current };
  return { ok: false, error: 'Pick where the system comes from.' };
}
