/** What openDisplay / openTerminal hand out: where the bridge is, and a one-time token for it. */
export type StreamTicket = { url: string; token: string };

/**
 * The WebSocket URL for a ticket. Electron's stream server gives an absolute ws:// URL; serve
 * mode gives a path on the page's own server, so the scheme follows the page (wss under https).
 */
export function streamUrl(ticket: StreamTicket, page: { protocol: string; host: string }): string {
  const base = /^wss?:\/\//i.test(ticket.url)
    ? ticket.url
    : `${page.protocol === 'https:' ? 'wss:' : 'ws:'}//${page.host}${ticket.url.startsWith('/') ? '' : '/'}${ticket.url}`;
  return `${base}${base.includes('?') ? '&' : '?'}token=${encodeURIComponent(ticket.token)}`;
}
