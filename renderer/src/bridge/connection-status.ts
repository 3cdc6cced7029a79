/**
 * How the page is connected to the core. Electron is always `open`; over WebSocket the state
 * moves between connecting, open and reconnecting, or stops at one of the two token states,
 * from which only a new link helps.
 */
export type ConnectionState =
  'connecting' | 'open' | 'reconnecting' | 'token-missing' | 'token-refused';

export type ConnectionStatus = {
  state: ConnectionState;
  /** Counts successful opens; data loaded under an older epoch may have missed pushes. */
  epoch: number;
  /** A sentence for the user when the state needs one (why it was refused, when it retries). */
  detail: string | null;
};

export type ConnectionSource = {
  current(): ConnectionStatus;
  subscribe(listener: (status: ConnectionStatus) => void): () => void;
};

export const TOKEN_HELP =
  'This page needs the link with its token — copy the full URL that `genos serve` printed.';

/** The Electron preload is always connected: main is in the same app. */
export function alwaysOpen(): ConnectionSource {
  const status: ConnectionStatus = { state: 'open', epoch: 1, detail: null };
  return { current: () => status, subscribe: () => () => {} };
}
