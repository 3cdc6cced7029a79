import type { OpenSocket } from './ws-bridge';

/** The browser's WebSocket behind the bridge's small socket interface. */
export function browserSocket(url: string): OpenSocket {
  return (protocols, handlers) => {
    const ws = new WebSocket(url, protocols);
    ws.onopen = () => handlers.open();
    ws.onmessage = (event) => handlers.message(event.data);
    ws.onclose = (event) => handlers.close(event.code, event.reason);
    return {
      send: (data) => ws.send(data),
      close: () => ws.close(1000, 'page closing'),
    };
  };
}

/** Where `genos serve` listens for the contract: the page's own host, path /api. */
export function serveSocketUrl(location: Location): string {
  const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
  return `${scheme}://${location.host}/api`;
}

/** Plain HTTP to the page's own server, to tell "refused" from "down" after failed handshakes. */
export async function pageServerReachable(): Promise<boolean> {
  try {
    const response = await fetch(window.location.pathname, { cache: 'no-store' });
    return response.ok;
  } catch {
    return false;
  }
}
