/** The explanation: for each spec field, the prompt words that set it or 'default', and why. */
import type { Claim } from './scan.js';

export const FIELD_PATHS = [
  'name',
  'backend',
  'os.id',
  'os.version',
  'resources.cpus',
  'resources.memoryMiB',
  'resources.diskGiB',
  'network.mode',
  'network.ports',
  'display',
  'desktop',
  'apps',
  'count',
  'ephemeral',
  'image',
  'healthCheck',
  'restartPolicy',
  'requires',
  'hardening',
  'firmware',
  'secureBoot',
  'tpm',
] as const;
export type FieldPath = (typeof FIELD_PATHS)[number];

export type ExplanationEntry = { words: string[] | 'default'; note?: string };
export type Explanation = Record<string, ExplanationEntry>;

export class Explainer {
  readonly entries: Explanation = {};

  fromClaims(
    path: FieldPath,
    claims: Array<Claim | undefined>,
    ...notes: Array<string | undefined>
  ): void {
    const present = claims.filter((c): c is Claim => c !== undefined);
    if (present.length === 0) return this.byDefault(path, ...notes);
    if (present.every((c) => c.strength === 'llm')) {
      return this.byDefault(
        path,
        'proposed by the LLM provider',
        ...notes,
        ...present.map((c) => c.note),
      );
    }
    const words = [...new Set(present.filter((c) => c.strength !== 'llm').flatMap((c) => c.words))];
    this.set(path, words, [...present.map((c) => c.note), ...notes]);
  }

  /** Words found outside the claims (firmware-choice.ts reads a few straight from the prompt). */
  fromWords(path: FieldPath, words: string[], note?: string): void {
    this.set(path, words, [note]);
  }

  byDefault(path: FieldPath, ...notes: Array<string | undefined>): void {
    this.set(path, 'default', notes);
  }

  /** Adds a note to a field already explained (a clamp, a rounding). */
  addNote(path: FieldPath, note: string): void {
    const e = this.entries[path];
    if (!e) return this.byDefault(path, note);
    e.note = e.note ? `${e.note}; ${note}` : note;
  }

  /** The entries in the spec's field order. */
  ordered(): Explanation {
    const out: Explanation = {};
    for (const p of FIELD_PATHS) if (this.entries[p]) out[p] = this.entries[p]!;
    return out;
  }

  isDefault(path: FieldPath): boolean {
    return this.entries[path]?.words === 'default';
  }

  private set(
    path: FieldPath,
    words: string[] | 'default',
    notes: Array<string | undefined>,
  ): void {
    const note = [...new Set(notes.filter((n): n is string => !!n))].join('; ');
    this.entries[path] = note ? { words, note } : { words };
  }
}
