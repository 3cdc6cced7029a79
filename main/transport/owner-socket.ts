import fs from 'node:fs';
import http from 'node:http';
import type { Dispatch } from '../api/dispatcher.js';
import type { EventBus } from '../api/event-bus.js';
import { attachWsApi, type WsApiOptions } from './ws-api.js';
import { listen } from './listen.js';

export const OWNER_SOCKET_NAME = 'genos.sock';
export const OWNER_API_PATH = '/api';

/** sockaddr_un holds 108 bytes on Linux, 104 on macOS; stay under the smaller. */
export const MAX_SOCKET_PATH = 103;

/**
 * The data dir owner's door for the CLI: the same contract over a WebSocket on a unix socket.
 * The socket file is 0600 in a 0700 dir, so the filesystem is the guard; browsers cannot reach a
 * unix socket, so any Origin at all is refused.
 */
export async function startOwnerSocket(
  socketPath: string,
  deps: {
    dispatch: Dispatch;
    bus: EventBus;
    /** Stream endpoints the CLI may reach here (one-time tokens still guard each). */
    streams?: WsApiOptions['otherEndpoints'];
  },
) {
  // We hold the data dir lock, so a socket file left here is from an owner that died.
  fs.rmSync(socketPath, { force: true });
  const server = http.createServer((_req, res) => res.writeHead(404).end());
  const api = attachWsApi(server, {
    dispatch: deps.dispatch,
    bus: deps.bus,
    otherEndpoints: deps.streams,
    path: OWNER_API_PATH,
    transport: 'owner-socket',
    originAllowed: () => false,
  });
  const previousMask = process.umask(0o177);
  try {
    await listen(server, { path: socketPath });
  } finally {
    process.umask(previousMask);
  }
  return {
    close: () =>
      new Promise<void>((resolve) => {
        api.close();
        server.closeAllConnections();
        server.close(() => {
          fs.rmSync(socketPath, { force: true });
          resolve();
        });
      }),
  };
}
