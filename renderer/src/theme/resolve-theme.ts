import type { Settings } from '../../../preload/contract';

export type ThemePreference = Settings['theme'];
export type AppliedTheme = 'light' | 'dark';

/** `system` follows the operating system's light/dark preference. */
export function resolveTheme(
  preference: ThemePreference,
  systemPrefersDark: boolean,
): AppliedTheme {
  if (preference === 'system') return systemPrefersDark ? 'dark' : 'light';
  return preference;
}
