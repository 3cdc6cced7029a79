import WebSocket from 'ws';
import { ByteReader } from '../unit/streams/rfb-client.js';

/** The HTTP status of a WebSocket upgrade: 101 when it opened (then closed), else the refusal. */
export function upgradeStatus(url: string, protocols?: string[]): Promise<number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, protocols);
    ws.on('open', () => {
      ws.close();
      resolve(101);
    });
    ws.on('unexpected-response', (_req, res) => {
      resolve(res.statusCode ?? 0);
      ws.terminate();
    });
    ws.on('error', (e) => {
      if (!/Unexpected server response/.test(e.message)) reject(e);
    });
  });
}

/** An open binary WebSocket whose bytes a protocol client reads in order from `reader`. */
export async function openByteSocket(
  url: string,
  protocols?: string[],
): Promise<{ ws: WebSocket; reader: ByteReader }> {
  const ws = new WebSocket(url, protocols);
  ws.binaryType = 'nodebuffer';
  const reader = new ByteReader();
  ws.on('message', (d: Buffer) => reader.push(d));
  ws.on('close', () => reader.fail(new Error('closed')));
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  return { ws, reader };
}
