import type { ApiErrorShape } from '../../../preload/contract';
import { toApiError } from '../bridge/api-client';

/** Where a store's data is: not asked for yet, on its way, here, or failed with an error to show. */
export type LoadStatus = 'idle' | 'loading' | 'ready' | 'error';

export function errorShape(err: unknown): ApiErrorShape {
  const { code, message } = toApiError(err);
  return { code, message };
}
