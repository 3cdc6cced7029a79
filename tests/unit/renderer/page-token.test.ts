import { describe, expect, it } from 'vitest';
import { TOKEN_STORAGE_KEY, forgetToken, takeToken } from '../../../renderer/src/bridge/page-token';
import type { TokenPlace, TokenStorage } from '../../../renderer/src/bridge/page-token';

function memoryStorage(
  initial: Record<string, string> = {},
): TokenStorage & { data: Record<string, string> } {
  const data = { ...initial };
  return {
    data,
    getItem: (key) => data[key] ?? null,
    setItem: (key, value) => {
      data[key] = value;
    },
    removeItem: (key) => {
      delete data[key];
    },
  };
}

function place(hash: string, storage: TokenStorage | null) {
  const replaced: string[] = [];
  const where: TokenPlace = {
    location: { hash, pathname: '/', search: '?x=1' },
    storage,
    replaceUrl: (url) => replaced.push(url),
  };
  return { where, replaced };
}

describe('takeToken', () => {
  it('takes the token from the hash, stores it and clears the address bar', () => {
    const storage = memoryStorage();
    const { where, replaced } = place('#token=abc123', storage);
    expect(takeToken(where)).toBe('abc123');
    expect(storage.data[TOKEN_STORAGE_KEY]).toBe('abc123');
    expect(replaced).toEqual(['/?x=1']);
  });

  it('falls back to sessionStorage on a reload without the hash', () => {
    const { where, replaced } = place('', memoryStorage({ [TOKEN_STORAGE_KEY]: 'stored' }));
    expect(takeToken(where)).toBe('stored');
    expect(replaced).toEqual([]);
  });

  it('prefers a fresh token in the hash over a stored one', () => {
    const storage = memoryStorage({ [TOKEN_STORAGE_KEY]: 'old' });
    expect(takeToken(place('#token=new', storage).where)).toBe('new');
    expect(storage.data[TOKEN_STORAGE_KEY]).toBe('new');
  });

  it('keeps a + as a + (percent-decoding, not form-decoding)', () => {
    expect(takeToken(place('#token=a+b%2Bc', memoryStorage()).where)).toBe('a+b+c');
  });

  it('returns null without a token, and ignores a route hash', () => {
    expect(takeToken(place('', memoryStorage()).where)).toBeNull();
    expect(takeToken(place('#/host', memoryStorage()).where)).toBeNull();
  });

  it('refuses a token a WebSocket subprotocol cannot carry, but still clears the URL', () => {
    const storage = memoryStorage();
    const { where, replaced } = place('#token=has%20space', storage);
    expect(takeToken(where)).toBeNull();
    expect(storage.data[TOKEN_STORAGE_KEY]).toBeUndefined();
    expect(replaced).toHaveLength(1);
  });

  it('works when storage throws or is missing', () => {
    const throwing: TokenStorage = {
      getItem: () => {
        throw new Error('denied');
      },
      setItem: () => {
        throw new Error('denied');
      },
      removeItem: () => {
        throw new Error('denied');
      },
    };
    expect(takeToken(place('#token=t1', throwing).where)).toBe('t1');
    expect(takeToken(place('', throwing).where)).toBeNull();
    expect(takeToken(place('#token=t2', null).where)).toBe('t2');
    expect(() => forgetToken(throwing)).not.toThrow();
  });

  it('forgetToken removes the stored token', () => {
    const storage = memoryStorage({ [TOKEN_STORAGE_KEY]: 'x' });
    forgetToken(storage);
    expect(storage.data[TOKEN_STORAGE_KEY]).toBeUndefined();
  });
});
