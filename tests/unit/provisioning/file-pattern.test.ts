import { describe, expect, it } from 'vitest';
import {
  matchesPattern,
  newestMatch,
  withFileName,
} from '../../../main/provisioning/file-pattern.js';

describe('catalog file patterns', () => {
  it('matches one * against a file name and nothing else literally', () => {
    expect(matchesPattern('debian-13.*-amd64-netinst.iso', 'debian-13.2.0-amd64-netinst.iso')).toBe(
      true,
    );
    expect(matchesPattern('debian-13.*-amd64-netinst.iso', 'debian-13.2.0-amd64-DVD-1.iso')).toBe(
      false,
    );
    // The dot is a dot, not "any character".
    expect(matchesPattern('a.*.iso', 'aX1.iso')).toBe(false);
    expect(matchesPattern('x-*.iso', 'sub/x-1.iso')).toBe(false);
  });

  it('picks the newest point release, numbers compared as numbers', () => {
    const names = [
      'ubuntu-24.04.2-live-server-amd64.iso',
      'ubuntu-24.04.10-live-server-amd64.iso',
      'ubuntu-24.04.9-live-server-amd64.iso',
      'ubuntu-24.04.3-desktop-amd64.iso',
      './ubuntu-24.04-live-server-amd64.iso',
    ];
    expect(newestMatch('ubuntu-24.04*-live-server-amd64.iso', names)).toBe(
      'ubuntu-24.04.10-live-server-amd64.iso',
    );
    expect(newestMatch('nothing-*.iso', names)).toBeNull();
  });

  it('puts the chosen name in place of the last path segment', () => {
    expect(withFileName('https://h/a/b/debian-*.iso', 'debian-13.2.0.iso')).toBe(
      'https://h/a/b/debian-13.2.0.iso',
    );
  });
});
