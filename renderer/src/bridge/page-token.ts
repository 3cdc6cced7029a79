/**
 * The serve token arrives once in the URL fragment (`#token=...`, never sent to the server or
 * its logs). It moves to sessionStorage so a reload keeps working, and leaves the address bar
 * so it is not shared with a screenshot or a copied link.
 */
export const TOKEN_STORAGE_KEY = 'genos.token';

// What a WebSocket subprotocol may carry (an RFC 7230 token); anything else would make the
// browser throw before connecting.
const TOKEN_CHARS = /^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,1024}$/;

export type TokenStorage = {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
};

export type TokenPlace = {
  location: { hash: string; pathname: string; search: string };
  /** Null when the browser refuses storage (e.g. a locked-down profile). */
  storage: TokenStorage | null;
  replaceUrl(url: string): void;
};

function tokenFromHash(hash: string): string | null {
  for (const part of hash.replace(/^#/, '').split('&')) {
    const eq = part.indexOf('=');
    if (eq < 0 || part.slice(0, eq) !== 'token') continue;
    try {
      // Plain percent-decoding: a '+' in a token is a '+', not a space.
      return decodeURIComponent(part.slice(eq + 1));
    } catch {
      return null;
    }
  }
  return null;
}

function tryStorage<T>(action: () => T): T | null {
  try {
    return action();
  } catch {
    return null;
  }
}

/** The token for this page, taking it out of the URL if it is there. */
export function takeToken(place: TokenPlace): string | null {
  const fromHash = tokenFromHash(place.location.hash);
  if (fromHash !== null) {
    place.replaceUrl(place.location.pathname + place.location.search);
    if (!TOKEN_CHARS.test(fromHash)) return null;
    tryStorage(() => place.storage?.setItem(TOKEN_STORAGE_KEY, fromHash));
    return fromHash;
  }
  const stored = tryStorage(() => place.storage?.getItem(TOKEN_STORAGE_KEY) ?? null);
  return stored && TOKEN_CHARS.test(stored) ? stored : null;
}

/** After the server refused the token: a reload should ask for the link, not retry it. */
export function forgetToken(storage: TokenStorage | null): void {
  tryStorage(() => storage?.removeItem(TOKEN_STORAGE_KEY));
}
