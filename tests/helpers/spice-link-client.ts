import crypto from 'node:crypto';
import type { ByteReader } from '../unit/streams/rfb-client.js';

/**
 * A minimal SPICE client for tests and benchmarks: the link handshake of one channel
 * (SpiceLinkHeader "REDQ" 2.2 + SpiceLinkMess -> SpiceLinkReply), the RSA-OAEP ticket, the link
 * result, then mini-header messages. Transport-agnostic like the RFB client: feed bytes with
 * push() and give it a write function. Layouts from spice-protocol's spice/protocol.h.
 */

export const SPICE_MAGIC = Buffer.from('REDQ', 'latin1');
export const CHANNEL = { main: 1, display: 2, inputs: 3, cursor: 4 } as const;
export const LINK_ERR_OK = 0;
/** SPICE_COMMON_CAP_*: auth selection, "spice" (RSA ticket) auth, 6-byte message headers. */
const CAP_AUTH_SELECTION = 1 << 0;
const AUTH_SPICE = 1;
const CAP_AUTH_SPICE = 1 << AUTH_SPICE;
const CAP_MINI_HEADER = 1 << 3;
/** SPICE_TICKET_PUBKEY_BYTES: the server's RSA key (1024 bits) as DER SubjectPublicKeyInfo. */
const PUBKEY_BYTES = 162;

export const MSG = {
  setAck: 3,
  ping: 4,
  mainInit: 103,
  displayMark: 102,
  displaySurfaceCreate: 314,
} as const;
const MSGC = { ackSync: 1, ack: 2, pong: 3, displayInit: 101 } as const;

export type LinkReply = {
  major: number;
  minor: number;
  error: number;
  pubKey: Buffer;
  commonCaps: number[];
  channelCaps: number[];
};
export type SpiceMessage = { type: number; body: Buffer };

export class SpiceChannelClient {
  private miniHeader = false;
  private ackWindow = 0;
  private unacked = 0;

  constructor(
    private readonly reader: ByteReader,
    private readonly write: (b: Buffer) => void,
  ) {}

  /** Sends the link message for a channel and reads the server's SpiceLinkReply. */
  async link(channelType: number, connectionId = 0, channelId = 0): Promise<LinkReply> {
    const mess = Buffer.alloc(18 + 4);
    mess.writeUInt32LE(connectionId, 0);
    mess.writeUInt8(channelType, 4);
    mess.writeUInt8(channelId, 5);
    mess.writeUInt32LE(1, 6); // one word of common caps
    mess.writeUInt32LE(0, 10); // no channel caps
    mess.writeUInt32LE(18, 14); // caps follow the fixed part
    mess.writeUInt32LE(CAP_AUTH_SELECTION | CAP_AUTH_SPICE | CAP_MINI_HEADER, 18);
    const header = Buffer.alloc(16);
    SPICE_MAGIC.copy(header, 0);
    header.writeUInt32LE(2, 4);
    header.writeUInt32LE(2, 8);
    header.writeUInt32LE(mess.length, 12);
    this.write(Buffer.concat([header, mess]));

    const h = await this.reader.read(16);
    if (!h.subarray(0, 4).equals(SPICE_MAGIC)) {
      throw new Error(`SPICE: bad magic ${h.subarray(0, 4).toString('hex')}`);
    }
    const size = h.readUInt32LE(12);
    const body = await this.reader.read(size);
    const error = body.readUInt32LE(0);
    const numCommon = body.readUInt32LE(4 + PUBKEY_BYTES);
    const numChannel = body.readUInt32LE(8 + PUBKEY_BYTES);
    const capsAt = body.readUInt32LE(12 + PUBKEY_BYTES);
    const words = (from: number, n: number) =>
      Array.from({ length: n }, (_, i) => body.readUInt32LE(from + 4 * i));
    const commonCaps = words(capsAt, numCommon);
    this.miniHeader = ((commonCaps[0] ?? 0) & CAP_MINI_HEADER) !== 0;
    return {
      major: h.readUInt32LE(4),
      minor: h.readUInt32LE(8),
      error,
      pubKey: body.subarray(4, 4 + PUBKEY_BYTES),
      commonCaps,
      channelCaps: words(capsAt + 4 * numCommon, numChannel),
    };
  }

  /** Sends the (empty) password encrypted with the server's key; returns the link result. */
  async ticket(reply: LinkReply, password = ''): Promise<number> {
    const key = crypto.createPublicKey({ key: reply.pubKey, format: 'der', type: 'spki' });
    const encrypted = crypto.publicEncrypt(
      { key, padding: crypto.constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha1' },
      Buffer.from(`${password}\0`, 'utf8'),
    );
    const mechanism = Buffer.alloc(4);
    mechanism.writeUInt32LE(AUTH_SPICE, 0);
    this.write(Buffer.concat([mechanism, encrypted]));
    return (await this.reader.read(4)).readUInt32LE(0);
  }

  /** The next message, answering SET_ACK and PING so the server keeps sending. */
  async next(timeoutMs = 10_000): Promise<SpiceMessage> {
    for (;;) {
      const m = await this.readMessage(timeoutMs);
      if (m.type === MSG.setAck) {
        this.ackWindow = m.body.readUInt32LE(4);
        this.send(MSGC.ackSync, m.body.subarray(0, 4)); // the generation
        continue;
      }
      if (this.ackWindow > 0 && ++this.unacked >= this.ackWindow) {
        this.unacked = 0;
        this.send(MSGC.ack, Buffer.alloc(0));
      }
      if (m.type === MSG.ping) {
        this.send(MSGC.pong, m.body.subarray(0, 12)); // id + timestamp
        continue;
      }
      return m;
    }
  }

  /** Reads until a message of one of `types` arrives. */
  async until(types: number[], timeoutMs = 10_000): Promise<SpiceMessage> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const m = await this.next(Math.max(1, deadline - Date.now()));
      if (types.includes(m.type)) return m;
    }
  }

  /** SPICE_MSGC_DISPLAY_INIT with no caches: the display channel then starts drawing. */
  displayInit(): void {
    const b = Buffer.alloc(14);
    b.writeUInt8(0, 0); // pixmap cache id
    b.writeBigInt64LE(0n, 1); // pixmap cache size
    b.writeUInt8(0, 9); // glz dictionary id
    b.writeInt32LE(0, 10); // glz dictionary window size
    this.send(MSGC.displayInit, b);
  }

  private send(type: number, body: Buffer): void {
    if (!this.miniHeader) throw new Error('SPICE: the server did not agree to mini headers');
    const h = Buffer.alloc(6);
    h.writeUInt16LE(type, 0);
    h.writeUInt32LE(body.length, 2);
    this.write(Buffer.concat([h, body]));
  }

  private async readMessage(timeoutMs: number): Promise<SpiceMessage> {
    if (!this.miniHeader) throw new Error('SPICE: the server did not agree to mini headers');
    const h = await this.reader.read(6, timeoutMs);
    const size = h.readUInt32LE(2);
    return {
      type: h.readUInt16LE(0),
      body: size ? await this.reader.read(size, timeoutMs) : h.subarray(0, 0),
    };
  }
}

/** SpiceMsgMainInit's session id: other channels link with it as their connection id. */
export function sessionIdOf(mainInit: SpiceMessage): number {
  return mainInit.body.readUInt32LE(0);
}

/** SpiceMsgSurfaceCreate: surface id, width, height, format, flags. */
export function surfaceOf(m: SpiceMessage): { width: number; height: number } {
  return { width: m.body.readUInt32LE(4), height: m.body.readUInt32LE(8) };
}
