import type { ApiErrorShape, ErrorCode } from '../../preload/contract.js';

/**
 * The only error type services throw on purpose. Its message is shown to the user as is, so it
 * says what went wrong and what to do; anything else that escapes a service becomes INTERNAL.
 */
export class GenosError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'GenosError';
  }

  toShape(): ApiErrorShape {
    return { code: this.code, message: this.message };
  }
}

export function isGenosError(e: unknown): e is GenosError {
  return e instanceof GenosError;
}
