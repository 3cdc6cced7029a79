/** The part of spice-html5 0.2.1 (src/main.js, src/utils.js) GenOS uses; the package has no types. */
declare module '@spice-project/spice-html5' {
  /** What SpiceConn.send_msg takes: a message that writes itself into a buffer. */
  export type SpiceWireMessage = {
    buffer_size(): number;
    to_buffer(buffer: ArrayBuffer, at?: number): number;
  };

  export type SpiceMainConnOptions = {
    /** The WebSocket URL; every channel connects to the same one. */
    uri: string;
    password: string;
    /** id of the element the client adds its canvases to (it looks it up by id). */
    screen_id: string;
    message_id?: string;
    onerror?: (error: Error) => void;
    onsuccess?: () => void;
    onagent?: (connection: SpiceMainConn) => void;
  };

  export class SpiceMainConn {
    constructor(options: SpiceMainConnOptions);
    /** "ready" once linked; other channels appear after the channel list arrives. */
    state: string;
    inputs?: { state: string; send_msg(message: SpiceWireMessage): void };
    agent_connected?: boolean;
    stop(): void;
    /** Closes this channel's WebSocket (stop() does it for every channel). */
    cleanup(): void;
    resize_window(
      flags: number,
      width: number,
      height: number,
      depth: number,
      x: number,
      y: number,
    ): void;
  }
}

declare module '@spice-project/spice-html5/src/utils.js' {
  /** The release scan code for a DOM keyCode; 0 when the client has no mapping for it. */
  export function keycode_to_end_scan(keyCode: number): number;
}
