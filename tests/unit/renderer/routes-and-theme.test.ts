import { describe, expect, it } from 'vitest';
import { DEFAULT_ROUTE, hashFor, routeFromHash } from '../../../renderer/src/shell/routes';
import { resolveTheme } from '../../../renderer/src/theme/resolve-theme';

describe('routes', () => {
  it('reads the page from the hash and falls back to the default', () => {
    expect(routeFromHash('#/host')).toBe('host');
    expect(routeFromHash('#/settings/extra')).toBe('settings');
    expect(routeFromHash('')).toBe(DEFAULT_ROUTE);
    expect(routeFromHash('#token=abc')).toBe(DEFAULT_ROUTE);
    expect(routeFromHash('#/nope')).toBe(DEFAULT_ROUTE);
    expect(routeFromHash(hashFor('images'))).toBe('images');
  });
});

describe('resolveTheme', () => {
  it('follows the OS only for system', () => {
    expect(resolveTheme('system', true)).toBe('dark');
    expect(resolveTheme('system', false)).toBe('light');
    expect(resolveTheme('dark', false)).toBe('dark');
    expect(resolveTheme('light', true)).toBe('light');
  });
});
