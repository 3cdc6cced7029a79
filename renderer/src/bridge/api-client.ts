import type {
  CallArgs,
  CallName,
  CallResult,
  ErrorCode,
  EventName,
  EventPayload,
  GenosBridge,
} from '../../../preload/contract';

/** A failed call, with the contract's error code, thrown by the api client. */
export class ApiError extends Error {
  override readonly name = 'ApiError';

  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export type ApiClient = {
  /** Resolves to the call's result, or throws ApiError with the server's code and message. */
  call<K extends CallName>(name: K, args: CallArgs<K>): Promise<CallResult<K>>;
  on<K extends EventName>(event: K, listener: (payload: EventPayload<K>) => void): () => void;
};

/** The renderer's way to the core: unwraps the `{result}` / `{error}` envelope of `window.genos`. */
export function createApiClient(getBridge: () => GenosBridge | undefined): ApiClient {
  function bridge(): GenosBridge {
    const found = getBridge();
    if (!found)
      throw new ApiError('UNAVAILABLE', 'GenOS is not connected: window.genos is missing.');
    return found;
  }

  return {
    async call(name, args) {
      const invoke = bridge().calls[name];
      let reply;
      try {
        reply = await invoke(args);
      } catch (err) {
        // The preload should never reject, but an IPC failure would: keep it typed.
        throw new ApiError(
          'UNAVAILABLE',
          `${name} failed to reach GenOS: ${err instanceof Error ? err.message : String(err)}`,
        );
      }
      if (reply.error) throw new ApiError(reply.error.code, reply.error.message);
      return reply.result;
    },
    on(event, listener) {
      return bridge().on(event, listener);
    },
  };
}

/** Any thrown value as the `{code, message}` the UI shows. */
export function toApiError(err: unknown): ApiError {
  if (err instanceof ApiError) return err;
  return new ApiError('INTERNAL', err instanceof Error ? err.message : String(err));
}
