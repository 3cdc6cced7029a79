import { describe, expect, it, vi } from 'vitest';
import { CALL_NAMES } from '../../../preload/contract.js';
import { createDispatcher, type Handlers } from '../../../main/api/dispatcher.js';
import { GenosError } from '../../../main/core/errors.js';
import { malformedCases } from '../../helpers/malformed.js';

const trusted = { transport: 'in-process', trusted: true } as const;

/** Handlers that record being reached: a malformed call must never get this far. */
function spyHandlers() {
  const reached = vi.fn();
  const handlers = Object.fromEntries(
    CALL_NAMES.map((name) => [
      name,
      (args: unknown) => {
        reached(name, args);
        return { ok: name };
      },
    ]),
  ) as unknown as Handlers;
  return { handlers, reached };
}

describe('dispatcher', () => {
  it('refuses malformed arguments for every call with BAD_ARGS before any service runs', async () => {
    const { handlers, reached } = spyHandlers();
    const dispatch = createDispatcher(handlers);
    const cases = malformedCases();
    expect(cases.length).toBeGreaterThan(CALL_NAMES.length * 5);
    for (const { call, args } of cases) {
      const reply = await dispatch(call, args, trusted);
      expect(reply.error?.code, `${call} ${JSON.stringify(args)}`).toBe('BAD_ARGS');
      expect(reply.error?.message).toContain(call);
    }
    expect(reached).not.toHaveBeenCalled();
  });

  it('passes parsed arguments through and wraps the result', async () => {
    const { handlers, reached } = spyHandlers();
    const dispatch = createDispatcher(handlers);
    expect(await dispatch('hostInfo', { refresh: true }, trusted)).toEqual({
      result: { ok: 'hostInfo' },
    });
    expect(reached).toHaveBeenCalledWith('hostInfo', { refresh: true });
  });

  it('checks the caller before anything else', async () => {
    const { handlers, reached } = spyHandlers();
    const dispatch = createDispatcher(handlers);
    const reply = await dispatch('ping', {}, { transport: 'electron', trusted: false });
    expect(reply.error?.code).toBe('FORBIDDEN');
    expect(
      (await dispatch('nope', {}, { transport: 'electron', trusted: false })).error?.code,
    ).toBe('FORBIDDEN');
    expect(reached).not.toHaveBeenCalled();
  });

  it('refuses unknown calls, including prototype names', async () => {
    const dispatch = createDispatcher(spyHandlers().handlers);
    for (const name of ['nope', 'constructor', '__proto__', 'toString', 'hasOwnProperty']) {
      expect((await dispatch(name, {}, trusted)).error?.code, name).toBe('BAD_ARGS');
    }
  });

  it('turns a GenosError into its code and anything else into INTERNAL', async () => {
    const { handlers } = spyHandlers();
    const log = { error: vi.fn() };
    const dispatch = createDispatcher(
      {
        ...handlers,
        getEnvironment: () => {
          throw new GenosError('NOT_FOUND', 'There is no environment with id "x".');
        },
        ping: () => {
          throw new TypeError('boom');
        },
      },
      log,
    );
    expect(await dispatch('getEnvironment', { id: 'x' }, trusted)).toEqual({
      error: { code: 'NOT_FOUND', message: 'There is no environment with id "x".' },
    });
    const internal = await dispatch('ping', {}, trusted);
    expect(internal.error?.code).toBe('INTERNAL');
    expect(internal.error?.message).toContain('boom');
    expect(log.error).toHaveBeenCalledTimes(1);
  });
});
