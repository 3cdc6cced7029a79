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
/** `yes`: the choice that means true, for a yes/no field. */
export type EditorKind =
  | { kind: 'select'; choices: Choice[]; yes?: string; hint?: string }
  | { kind: 'number'; min: number; max: number; unit: string | null }
  | { kind: 'text'; hint: string }
  | { kind: 'os' }
  | { kind: 'image' }
  | { kind: 'drivers' };

/** A select from [value, label] pairs; `yes` makes it a yes/no field. */
function select(
  choices: [value: string, label: string][],
  more: { yes?: string; hint?: string } = {},
): EditorKind {
  return { kind: 'select', choices: choices.map(([value, label]) => ({ value, label })), ...more };
}

const ON_OFF: [string, string][] = [
  ['off', 'off'],
  ['on', 'on'],
];

export const FIELD_EDITORS: Record<FieldId, EditorKind> = {
  backend: select([
    ['qemu', 'qemu (virtual machine)'],
    ['docker', 'docker (container)'],
  ]),
  os: { kind: 'os' },
  image: { kind: 'image' },
  display: select([
    ['headless', 'headless'],
    ['gui', 'gui'],
  ]),
  apps: { kind: 'text', hint: 'Catalog ids, separated by commas: git, python, vscode' },
  cpus: { kind: 'number', min: 1, max: 256, unit: null },
  memory: { kind: 'number', min: 16, max: 4 * 1024 * 1024, unit: 'MiB' },
  disk: { kind: 'number', min: 1, max: 64 * 1024, unit: 'GiB' },
  network: select([
    ['nat', 'NAT (can reach out)'],
    ['isolated', 'isolated (no way out)'],
    ['none', 'none (no network card)'],
  ]),
  ports: { kind: 'text', hint: 'host:guest, separated by commas: 2222:22, 8080:80/udp' },
  count: { kind: 'number', min: 1, max: 64, unit: null },
  name: { kind: 'text', hint: 'Lower-case letters, digits and -' },
  ephemeral: select(
    [
      ['no', 'no, kept'],
      ['yes', 'yes, deleted when stopped'],
    ],
    { yes: 'yes' },
  ),
  firmware: select(
    [
      ['bios', 'BIOS (SeaBIOS)'],
      ['uefi', 'UEFI (OVMF)'],
    ],
    { hint: 'UEFI boots like a current PC (Windows 11 needs it); BIOS suits most other guests.' },
  ),
  secureBoot: select(ON_OFF, {
    yes: 'on',
    hint: 'Only with UEFI firmware: with BIOS the VM is refused. On enrolls Microsoft’s keys, as Windows 11 expects.',
  }),
  tpm: select(ON_OFF, { yes: 'on', hint: 'A TPM 2.0 (swtpm) beside the VM, as Windows 11 needs.' }),
  drivers: { kind: 'drivers' },
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
    default: {
      const value = readField(spec, id);
      const editor = FIELD_EDITORS[id];
      if (typeof value === 'boolean' && editor.kind === 'select' && editor.yes)
        return value
          ? editor.yes
          : (editor.choices.find((c) => c.value !== editor.yes)?.value ?? '');
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
    return ok(editor.yes ? trimmed === editor.yes : trimmed);
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
  if (kind === 'catalog-iso')
    return { ok: true, value: { kind: 'catalog', media: 'installer-iso' } };
  if (kind === 'library') {
    if (!libraryId) return { ok: false, error: 'Pick an image from the library.' };
    // A drivers ISO stays with a new pick: it is its own chip.
    const drivers = current.kind === 'library' ? current.driversImageId : undefined;
    return {
      ok: true,
      value: {
        kind: 'library',
        imageId: libraryId,
        ...(drivers ? { driversImageId: drivers } : {}),
      },
    };
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

/** The drivers editor's choice: a library ISO's id, or "" for none. */
export function parseDrivers(
  imageId: string,
  isos: readonly { id: string }[],
): Parsed<string | null> {
  if (imageId === '') return { ok: true, value: null };
  if (!isos.some((iso) => iso.id === imageId))
    return { ok: false, error: 'Pick an ISO from the image library, or none.' };
  return { ok: true, value: imageId };
}
