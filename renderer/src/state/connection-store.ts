import { create } from 'zustand';
import type { ConnectionSource, ConnectionStatus } from '../bridge/connection-status';

type ConnectionStore = ConnectionStatus & { transport: 'electron' | 'websocket' };

export const useConnectionStore = create<ConnectionStore>(() => ({
  state: 'connecting',
  epoch: 0,
  detail: null,
  transport: 'websocket',
}));

/** Mirrors the bridge's connection into the store; pages reload their data on each new epoch. */
export function bindConnection(
  source: ConnectionSource,
  transport: ConnectionStore['transport'],
): () => void {
  useConnectionStore.setState({ ...source.current(), transport });
  return source.subscribe((status) => useConnectionStore.setState({ ...status }));
}
