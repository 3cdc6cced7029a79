import { Settings } from '../../../../preload/contract';

/** The settings edited in the form (the theme applies on click instead). */
export const DRAFT_FIELDS = [
  'defaultNetworkMode',
  'admissionMemoryShare',
  'cpuOvercommit',
  'llmEndpoint',
  'downloadMirrors',
  'downloadProxy',
  'sshPublicKey',
  'pullImages',
] as const;
export type DraftField = (typeof DRAFT_FIELDS)[number];

/** What the user typed, per field they touched; untouched fields show the live settings. */
export type SettingsDraft = Partial<Record<DraftField, string>>;
export type DraftErrors = Partial<Record<DraftField, string>>;

const FIELD_HELP: Record<DraftField, string> = {
  defaultNetworkMode: 'Pick NAT, Isolated or None.',
  admissionMemoryShare: 'Enter a share of host memory between 10 and 100 %.',
  cpuOvercommit: 'Enter an overcommit factor between 1 and 16.',
  llmEndpoint: 'Enter an http:// or https:// URL, or leave it empty to compose offline.',
  downloadMirrors:
    'One rule per line: the URL prefix, then one or more mirror URLs, separated by spaces.',
  downloadProxy:
    'Enter an http:// proxy URL (host and port), or leave it empty to connect directly.',
  sshPublicKey: 'Paste one OpenSSH public key line, or leave it empty.',
  pullImages: 'Pick whether missing container images are pulled.',
};

/** Mirror rules as lines of text: "<prefix> <mirror> [<mirror>...]". */
function mirrorsText(rules: Settings['downloadMirrors']): string {
  return rules.map((r) => [r.prefix, ...r.mirrors].join(' ')).join('\n');
}

function parseMirrors(text: string): unknown {
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean)
    .map((line) => {
      const [prefix, ...mirrors] = line.split(/\s+/);
      return { prefix, mirrors };
    });
}

/** A setting as the form shows it: the memory share as a percentage, no endpoint as "". */
export function fieldText(settings: Settings, field: DraftField): string {
  switch (field) {
    case 'admissionMemoryShare':
      return String(Math.round(settings.admissionMemoryShare * 100));
    case 'cpuOvercommit':
      return String(settings.cpuOvercommit);
    case 'llmEndpoint':
      return settings.llmEndpoint ?? '';
    case 'defaultNetworkMode':
      return settings.defaultNetworkMode;
    case 'downloadMirrors':
      return mirrorsText(settings.downloadMirrors);
    case 'downloadProxy':
      return settings.downloadProxy ?? '';
    case 'sshPublicKey':
      return settings.sshPublicKey ?? '';
    case 'pullImages':
      return settings.pullImages ? 'pull' : 'offline';
  }
}

function parseField(field: DraftField, text: string): unknown {
  const trimmed = text.trim();
  switch (field) {
    case 'admissionMemoryShare':
      return trimmed === '' ? NaN : Number(trimmed) / 100;
    case 'cpuOvercommit':
      return trimmed === '' ? NaN : Number(trimmed);
    case 'llmEndpoint':
      return trimmed === '' ? null : trimmed;
    case 'defaultNetworkMode':
      return trimmed;
    case 'downloadMirrors':
      return parseMirrors(text);
    case 'downloadProxy':
    case 'sshPublicKey':
      return trimmed === '' ? null : trimmed;
    case 'pullImages':
      return trimmed === 'pull' ? true : trimmed === 'offline' ? false : trimmed;
  }
}

/** The patch to send, checked against the contract's own schema, or a message per bad field. */
export function draftToPatch(
  draft: SettingsDraft,
): { patch: Partial<Settings> } | { errors: DraftErrors } {
  const patch: Record<string, unknown> = {};
  const errors: DraftErrors = {};
  for (const field of DRAFT_FIELDS) {
    const text = draft[field];
    if (text === undefined) continue;
    const parsed = Settings.shape[field].safeParse(parseField(field, text));
    if (parsed.success) patch[field] = parsed.data;
    else if (field === 'sshPublicKey' || field === 'downloadMirrors')
      errors[field] = `${FIELD_HELP[field]} (${parsed.error.issues[0]?.message ?? 'not valid'})`;
    else errors[field] = FIELD_HELP[field];
  }
  return Object.keys(errors).length > 0 ? { errors } : { patch: patch as Partial<Settings> };
}
