import type Database from 'better-sqlite3';
import { Settings } from '../../preload/contract.js';
import { GenosError } from '../core/errors.js';

export const DEFAULT_SETTINGS: Readonly<Settings> = Object.freeze({
  theme: 'system',
  defaultNetworkMode: 'nat',
  admissionMemoryShare: 0.8,
  cpuOvercommit: 4,
  llmEndpoint: null,
  downloadMirrors: [],
  downloadProxy: null,
  sshPublicKey: null,
  // Offline first: nothing reaches a registry until the user says so.
  pullImages: false,
});

const SettingsPatch = Settings.partial().strict();
type Key = keyof Settings;
const KEYS = Object.keys(Settings.shape) as Key[];

/**
 * One row per key, so a newer setting added later needs no migration and an older GenOS simply
 * ignores keys it does not know.
 */
export function settingsRepo(db: Database.Database) {
  const all = db.prepare<[], { key: string; value_json: string }>(
    'SELECT key, value_json FROM settings',
  );
  const upsert = db.prepare<[string, string]>(
    `INSERT INTO settings (key, value_json) VALUES (?, ?)
       ON CONFLICT (key) DO UPDATE SET value_json = excluded.value_json`,
  );

  /**
   * A stored value that no longer passes the schema (hand-edited, or a range narrowed since)
   * falls back to its default rather than making the whole app unable to start.
   */
  function getSettings(): Settings {
    const merged: Record<string, unknown> = { ...DEFAULT_SETTINGS };
    for (const { key, value_json } of all.all()) {
      if (!(KEYS as string[]).includes(key)) continue;
      const field = Settings.shape[key as Key];
      const parsed = field.safeParse(JSON.parse(value_json));
      if (parsed.success) merged[key] = parsed.data;
    }
    return Settings.parse(merged);
  }

  const write = db.transaction((patch: Partial<Settings>) => {
    for (const key of KEYS) {
      if (patch[key] !== undefined) upsert.run(key, JSON.stringify(patch[key]));
    }
  });

  return {
    getSettings,

    /** Validates the patch as a whole before writing any of it. */
    updateSettings(patch: Partial<Settings>): Settings {
      const parsed = SettingsPatch.safeParse(patch);
      if (!parsed.success) {
        const why = parsed.error.issues.map((i) => `${i.path.join('.') || 'patch'}: ${i.message}`);
        throw new GenosError('BAD_ARGS', `Invalid settings: ${why.join('; ')}.`);
      }
      write(parsed.data);
      return getSettings();
    },
  };
}

export type SettingsRepo = ReturnType<typeof settingsRepo>;
