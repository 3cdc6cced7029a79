import WebSocket from 'ws';

/** A stream WebSocket with everything it has received, recorded from the moment it opened. */
export type Tap = { ws: WebSocket; text: () => string };

/**
 * Opens a ticketed stream endpoint of `genos serve` (terminal or display) the way the renderer
 * does. The first frames can arrive in the same packet as the handshake, so recording starts
 * before 'open'. Bytes are kept as latin1 so that a split multi-byte sequence never garbles text.
 */
export function openTicket(port: number, ticket: { url: string; token: string }): Promise<Tap> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(
      `ws://127.0.0.1:${port}${ticket.url}?token=${encodeURIComponent(ticket.token)}`,
    );
    let received = '';
    ws.on('message', (d: Buffer) => (received += d.toString('latin1')));
    ws.once('open', () => resolve({ ws, text: () => received }));
    ws.once('unexpected-response', (_req, res) => reject(new Error(`refused: ${res.statusCode}`)));
    ws.once('error', reject);
  });
}

/** Waits until the output matches; when typing a line, only output after it counts. */
export async function expectOutput(
  tap: Tap,
  pattern: RegExp,
  type?: string,
  timeoutMs = 20_000,
): Promise<string> {
  const from = type ? tap.text().length : 0;
  if (type) tap.ws.send(Buffer.from(type));
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const seen = tap.text().slice(from);
    if (pattern.test(seen)) return seen;
    if (Date.now() > deadline) throw new Error(`no ${pattern} in: ${tap.text().slice(-800)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
