/**
 * The serve token, once the bridge has it: the WebSocket offers it as a subprotocol and the
 * upload endpoint takes it as a Bearer header. Null in Electron (no token) or before start-up.
 */
let current: string | null = null;

export function rememberServeToken(token: string | null): void {
  current = token;
}

export function serveToken(): string | null {
  return current;
}
