import { describe, expect, it, vi } from 'vitest';
import {
  KEYSYM,
  keysymFor,
  textToKeys,
  typeKeys,
} from '../../../renderer/src/pages/environment/display/guest-keys';
import { plainLogText } from '../../../renderer/src/pages/environment/logs/log-text';
import { specFacts } from '../../../renderer/src/pages/environment/settings/spec-facts';
import {
  snapshotKinds,
  snapshotNameProblem,
} from '../../../renderer/src/pages/environment/snapshots/snapshot-kinds';
import { streamUrl } from '../../../renderer/src/pages/environment/stream-url';
import {
  defaultTab,
  isLive,
  tabFromHash,
  tabHash,
} from '../../../renderer/src/pages/environment/tabs';
import { httpUrl, openHttpLink } from '../../../renderer/src/pages/environment/terminal/safe-links';
import { env } from './fixtures';

describe('stream URLs', () => {
  const page = { protocol: 'http:', host: '127.0.0.1:8080' };

  it('puts a path from serve on the page’s own server, with the token', () => {
    expect(streamUrl({ url: '/display', token: 'a b+c' }, page)).toBe(
      'ws://127.0.0.1:8080/display?token=a%20b%2Bc',
    );
    expect(streamUrl({ url: 'console', token: 't' }, { ...page, protocol: 'https:' })).toBe(
      'wss://127.0.0.1:8080/console?token=t',
    );
  });

  it('keeps Electron’s absolute loopback URL, and an existing query', () => {
    expect(streamUrl({ url: 'ws://127.0.0.1:41234/display', token: 't' }, page)).toBe(
      'ws://127.0.0.1:41234/display?token=t',
    );
    expect(streamUrl({ url: '/console?cols=80', token: 't' }, page)).toBe(
      'ws://127.0.0.1:8080/console?cols=80&token=t',
    );
  });
});

describe('tabs', () => {
  it('reads and writes the tab in the address', () => {
    expect(tabFromHash('#/environments/abc/terminal')).toBe('terminal');
    expect(tabFromHash('#/environments/abc')).toBeNull();
    expect(tabFromHash('#/environments/abc/nonsense')).toBeNull();
    expect(tabHash('a b', 'logs')).toBe('#/environments/a%20b/logs');
  });

  it('opens a VM on its display and a container on its terminal', () => {
    expect(defaultTab(env({ id: 'a', backend: 'qemu' }))).toBe('display');
    expect(defaultTab(env({ id: 'a', backend: 'docker' }))).toBe('terminal');
  });

  it('has a display and terminal while running, degraded or paused', () => {
    expect(['running', 'degraded', 'paused'].every((s) => isLive(s as never))).toBe(true);
    expect(['stopped', 'starting', 'draft', 'failed'].some((s) => isLive(s as never))).toBe(false);
  });
});

describe('typing into the guest', () => {
  it('maps characters to keysyms, with Shift where a US keyboard needs it', () => {
    expect(textToKeys('aA!\n')).toEqual([
      { keysym: 0x61, shift: false },
      { keysym: 0x41, shift: true },
      { keysym: 0x21, shift: true },
      { keysym: KEYSYM.return, shift: false },
    ]);
    expect(keysymFor('é')).toBe(0xe9);
    expect(keysymFor('€')).toBe(0x010020ac);
    expect(keysymFor('\u0007')).toBeNull();
    expect(textToKeys('a\r\nb').map((k) => k.keysym)).toEqual([0x61, KEYSYM.return, 0x62]);
  });

  it('presses and releases each key, holding Shift around shifted ones', () => {
    const sent: [number, boolean][] = [];
    typeKeys(textToKeys('xY'), (keysym, down) => sent.push([keysym, down]));
    expect(sent).toEqual([
      [0x78, true],
      [0x78, false],
      [KEYSYM.shiftLeft, true],
      [0x59, true],
      [0x59, false],
      [KEYSYM.shiftLeft, false],
    ]);
  });
});

describe('terminal links', () => {
  it('opens only http and https, without an opener', () => {
    const open = vi.fn();
    expect(openHttpLink('https://example.org/a?b=c', open)).toBe(true);
    expect(open).toHaveBeenCalledWith('https://example.org/a?b=c', '_blank', 'noopener,noreferrer');
    for (const link of ['javascript:alert(1)', 'file:///etc/passwd', 'vscode://x', 'not a url'])
      expect(openHttpLink(link, open)).toBe(false);
    expect(open).toHaveBeenCalledTimes(1);
    expect(httpUrl('HTTP://EXAMPLE.org')).toBe('http://example.org/');
  });
});

describe('console log text', () => {
  it('drops control sequences and keeps what a carriage return left on the line', () => {
    expect(plainLogText('\x1b[1;32mOK\x1b[0m boot\r\n')).toBe('OK boot\n');
    expect(plainLogText('progress 10%\rprogress 100%\ndone')).toBe('progress 100%\ndone');
    expect(plainLogText('abcdef\rXY')).toBe('XYcdef');
    expect(plainLogText('\x1b]0;title\x07shell\x00$ ')).toBe('shell$ ');
  });
});

describe('snapshots', () => {
  it('offers the kinds the backend takes', () => {
    expect(snapshotKinds('qemu').map((k) => k.kind)).toEqual(['live', 'disk']);
    expect(snapshotKinds('docker').map((k) => k.kind)).toEqual(['commit', 'live']);
  });

  it('checks names the way the contract does', () => {
    expect(snapshotNameProblem('s1')).toBeNull();
    expect(snapshotNameProblem('before-upgrade_2.0')).toBeNull();
    expect(snapshotNameProblem('')).toMatch(/name/);
    expect(snapshotNameProblem('-x')).toMatch(/starting with a letter or digit/);
    expect(snapshotNameProblem('a b')).toMatch(/letters, digits/);
    expect(snapshotNameProblem('x'.repeat(65))).toMatch(/64/);
  });
});

describe('settings summary', () => {
  it('shows the spec’s resources, network, ports and policies', () => {
    const facts = specFacts(
      env({
        id: 'a',
        backend: 'qemu',
        spec: {
          os: { id: 'ubuntu', version: '24.04' },
          resources: { cpus: 2, memoryMiB: 2048, diskGiB: 20 },
          network: { mode: 'nat', ports: [{ host: 8080, guest: 80, protocol: 'tcp' }] },
          display: 'gui',
          desktop: 'xfce',
          image: { kind: 'catalog' },
          restartPolicy: 'on-failure',
          healthCheck: null,
          ephemeral: false,
          apps: ['vscode'],
          requires: [],
        },
      }),
    );
    const byLabel = Object.fromEntries(facts.map((f) => [f.label, f.value]));
    expect(byLabel).toMatchObject({
      'Operating system': 'ubuntu 24.04',
      CPUs: '2',
      Memory: '2.00 GiB',
      Disk: '20 GiB',
      'Forwarded ports': '8080 → 80/tcp',
      Display: 'Graphical (xfce)',
      'Restart policy': 'When it fails',
      Apps: 'vscode',
    });
    expect(byLabel.Network).toMatch(/^NAT/);
    expect(byLabel.Hardening).toBeUndefined();
  });

  it('says "not set" for what the JSON lacks, instead of guessing', () => {
    const byLabel = Object.fromEntries(
      specFacts(env({ id: 'a', spec: { resources: { cpus: 'two' } } })).map((f) => [
        f.label,
        f.value,
      ]),
    );
    expect(byLabel).toMatchObject({ CPUs: 'not set', Memory: 'not set', Network: 'not set' });
    expect(byLabel.Hardening).toMatch(/writable root/);
  });
});
