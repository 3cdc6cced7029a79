import { alwaysOpen } from './connection-status';
import type { ConnectionSource } from './connection-status';
import { browserSocket, pageServerReachable, serveSocketUrl } from './browser-socket';
import { forgetToken, takeToken } from './page-token';
import { rememberServeToken } from './serve-token';
import type { TokenStorage } from './page-token';
import { createWsBridge } from './ws-bridge';

function sessionStore(): TokenStorage | null {
  try {
    return window.sessionStorage;
  } catch {
    return null;
  }
}

/**
 * Picks the transport once, at start-up: the Electron preload's `window.genos` when it is there,
 * else a WebSocket client to `genos serve`, installed as `window.genos` so nothing else in the
 * app knows the difference.
 */
export function installBridge(): ConnectionSource {
  if (window.genos) return alwaysOpen();
  const storage = sessionStore();
  const token = takeToken({
    location: window.location,
    storage,
    replaceUrl: (url) => window.history.replaceState(window.history.state, '', url),
  });
  rememberServeToken(token);
  // No dispose on pagehide: the browser closes the socket itself, and a page restored from the
  // back/forward cache must still have a working bridge.
  const { bridge, connection } = createWsBridge({
    token,
    openSocket: browserSocket(serveSocketUrl(window.location)),
    serverReachable: pageServerReachable,
    onTokenRefused: () => {
      forgetToken(storage);
      rememberServeToken(null);
    },
  });
  window.genos = bridge;
  return connection;
}
