import { describe, expect, it } from 'vitest';
import { listKeyCommand } from '../../../renderer/src/pages/environments/list-keys';
import {
  CHORD_TIMEOUT_MS,
  SHORTCUT_GROUPS,
  createGlobalKeys,
} from '../../../renderer/src/shell/shortcuts';
import type { KeyInput } from '../../../renderer/src/shell/shortcuts';

const key = (k: string, over: Partial<KeyInput> = {}): KeyInput => ({
  key: k,
  ctrlKey: false,
  metaKey: false,
  altKey: false,
  typing: false,
  modalOpen: false,
  ...over,
});

describe('global keys', () => {
  it('g then a letter goes to its page; ? opens the help', () => {
    const keys = createGlobalKeys(() => 0);
    expect(keys(key('g'))).toEqual({ kind: 'chord' });
    expect(keys(key('i'))).toEqual({ kind: 'go', route: 'images' });
    expect(keys(key('i'))).toBeNull();
    expect(keys(key('?'))).toEqual({ kind: 'help' });
  });

  it('forgets a g after the timeout, and passes other second keys on', () => {
    let now = 0;
    const keys = createGlobalKeys(() => now);
    keys(key('g'));
    now = CHORD_TIMEOUT_MS + 1;
    expect(keys(key('e'))).toBeNull();
    keys(key('g'));
    expect(keys(key('x'))).toBeNull();
  });

  it('leaves keys alone in text fields, with modifiers, and under a modal dialog', () => {
    const keys = createGlobalKeys(() => 0);
    expect(keys(key('g', { typing: true }))).toBeNull();
    expect(keys(key('?', { modalOpen: true }))).toBeNull();
    expect(keys(key('g', { ctrlKey: true }))).toBeNull();
    keys(key('g'));
    expect(keys(key('e', { typing: true }))).toBeNull();
  });

  it('lists every page chord in the help', () => {
    const listed = SHORTCUT_GROUPS.flatMap((g) => g.shortcuts.map((s) => s.keys.join(' ')));
    for (const letter of ['c', 'e', 'i', 'h', 's']) expect(listed).toContain(`g ${letter}`);
  });
});

describe('environment list keys', () => {
  it('moves without a selection, acts only with one', () => {
    expect(listKeyCommand('ArrowDown', null)).toEqual({ kind: 'move', delta: 1 });
    expect(listKeyCommand('s', null)).toBeNull();
    expect(listKeyCommand('s', 'stopped')).toEqual({ kind: 'action', action: 'start' });
    expect(listKeyCommand('x', 'running')).toEqual({ kind: 'action', action: 'stop' });
    expect(listKeyCommand('Enter', 'running')).toEqual({ kind: 'open' });
    expect(listKeyCommand('Delete', 'stopped')).toEqual({ kind: 'confirm-delete' });
  });

  it('p pauses a running environment and resumes a paused one', () => {
    expect(listKeyCommand('p', 'running')).toEqual({ kind: 'action', action: 'pause' });
    expect(listKeyCommand('p', 'paused')).toEqual({ kind: 'action', action: 'resume' });
  });
});
