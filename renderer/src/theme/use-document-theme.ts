import { useEffect } from 'react';
import { useSettingsStore } from '../state/settings-store';
import { resolveTheme } from './resolve-theme';

const DARK_QUERY = '(prefers-color-scheme: dark)';

/**
 * Puts the theme on <html> as `data-theme` (light|dark, what the stylesheet keys on) and
 * `data-theme-preference` (what the user picked), and follows the OS while that is `system`.
 */
export function useDocumentTheme(): void {
  const preference = useSettingsStore((store) => store.settings?.theme ?? 'system');

  useEffect(() => {
    const media = window.matchMedia(DARK_QUERY);
    const apply = () => {
      const root = document.documentElement;
      root.dataset.theme = resolveTheme(preference, media.matches);
      root.dataset.themePreference = preference;
    };
    apply();
    if (preference !== 'system') return;
    media.addEventListener('change', apply);
    return () => media.removeEventListener('change', apply);
  }, [preference]);
}
