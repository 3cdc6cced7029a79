import type { GenosBridge } from '../../../preload/contract';

declare global {
  interface Window {
    /** Installed by the Electron preload, or by install-bridge.ts over WebSocket. */
    genos?: GenosBridge;
  }
}
