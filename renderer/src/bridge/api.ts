import type { GenosBridge } from '../../../preload/contract';
import { createApiClient } from './api-client';

/**
 * The app's one client. It reads `genos` from the global object rather than `window` so the
 * stores that use it also run under Node in unit tests (in a page, globalThis is window).
 */
export const api = createApiClient(() => (globalThis as { genos?: GenosBridge }).genos);
