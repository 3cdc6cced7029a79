import type { OpenSocket, SocketHandlers } from '../../../renderer/src/bridge/ws-bridge';

/** One socket the bridge opened, driven by the test like a server would. */
export type FakeSocket = {
  protocols: string[];
  sent: unknown[];
  closed: boolean;
  open(): void;
  reply(message: unknown): void;
  drop(code?: number, reason?: string): void;
};

export function fakeSockets(): { openSocket: OpenSocket; sockets: FakeSocket[] } {
  const sockets: FakeSocket[] = [];
  const openSocket: OpenSocket = (protocols, handlers: SocketHandlers) => {
    const socket: FakeSocket = {
      protocols,
      sent: [],
      closed: false,
      open: () => handlers.open(),
      reply: (message) => handlers.message(JSON.stringify(message)),
      drop: (code = 1006, reason = '') => {
        socket.closed = true;
        handlers.close(code, reason);
      },
    };
    sockets.push(socket);
    return {
      send: (data) => socket.sent.push(JSON.parse(data)),
      close: () => {
        socket.closed = true;
      },
    };
  };
  return { openSocket, sockets };
}
