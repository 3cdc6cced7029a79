import net, { type Socket } from 'node:net';
import tls from 'node:tls';
import type { HttpResponse } from './http-response.js';

/**
 * The socket one request goes out on, wired to the HttpResponse that reads it: plain TCP or TLS
 * (certificates verified against the URL's host name, as node:https does), directly or inside
 * a proxy's CONNECT tunnel. Reads go into the response's own memory (`onread`) except inside a
 * tunnel, where Node's TLS over an existing socket does not take `onread`.
 */
export type ConnectionTarget = {
  host: string;
  port: number;
  tls: boolean;
  /** The name the certificate must be for. */
  servername: string;
  /** An open CONNECT tunnel to run TLS over, instead of a new connection. */
  tunnel: Socket | null;
  res: HttpResponse;
};

export function openConnection(t: ConnectionTarget): Socket {
  const host = bare(t.host);
  const name = bare(t.servername);
  // SNI carries names only; an address is still checked against the certificate via `host`.
  const sni = net.isIP(name) === 0 ? { servername: name } : {};
  let socket: Socket;
  if (!t.tls) socket = net.connect({ host, port: t.port, onread: t.res.onread });
  else if (!t.tunnel) {
    // tls.connect takes `onread` (documented) though @types/node leaves it out.
    const options: tls.ConnectionOptions & { onread: net.OnReadOpts } = {
      host,
      port: t.port,
      ...sni,
      onread: t.res.onread,
    };
    socket = tls.connect(options);
  } else socket = tls.connect({ socket: t.tunnel, host: name, ...sni });
  t.res.attach(socket, !t.tunnel);
  return socket;
}

/** URL host names keep IPv6 addresses in brackets; sockets want them without. */
function bare(host: string): string {
  return host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
}
