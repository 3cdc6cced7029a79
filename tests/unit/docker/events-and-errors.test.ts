import { describe, expect, it } from 'vitest';
import { mapEvent } from '../../../main/backends/docker/events.js';
import {
  engineMessage,
  isConnectionError,
  toGenosError,
} from '../../../main/backends/docker/docker-errors.js';
import { runningHandles, unknownContainers } from '../../../main/backends/docker/adoption.js';
import { containerName, labelFilters, snapshotRef } from '../../../main/backends/docker/labels.js';
import type Docker from 'dockerode';

const ev = (Action: string, attrs: Record<string, string> = {}, extra: object = {}) => ({
  Type: 'container',
  Action,
  Actor: { ID: 'cid', Attributes: { 'genos.env': 'env1', name: 'genos-x-env1', ...attrs } },
  time: 1_700_000_000,
  timeNano: 1_700_000_000_123_000_000,
  ...extra,
});

describe('mapEvent', () => {
  it.each([
    ['start', {}, { kind: 'started' }],
    ['die', { exitCode: '137' }, { kind: 'died', exitCode: 137 }],
    ['die', {}, { kind: 'died', exitCode: null }],
    ['oom', {}, { kind: 'oom' }],
    ['health_status: healthy', {}, { kind: 'health', status: 'healthy' }],
    ['health_status: unhealthy', {}, { kind: 'health', status: 'unhealthy' }],
    ['health_status', { health_status: 'starting' }, { kind: 'health', status: 'starting' }],
    ['pause', {}, { kind: 'paused' }],
    ['unpause', {}, { kind: 'unpaused' }],
    ['destroy', {}, { kind: 'destroyed' }],
    ['remove', {}, { kind: 'destroyed' }],
  ])('%s -> change', (action, attrs, change) => {
    expect(mapEvent(ev(action, attrs))).toEqual({
      envId: 'env1',
      containerId: 'cid',
      at: '2023-11-14T22:13:20.123Z',
      change,
    });
  });

  it('ignores untracked actions, other types and unlabelled containers', () => {
    expect(mapEvent(ev('exec_start: sh'))).toBeNull();
    expect(mapEvent(ev('kill', { signal: '9' }))).toBeNull();
    expect(mapEvent(ev('health_status: bogus'))).toBeNull();
    expect(mapEvent(ev('start', {}, { Type: 'network' }))).toBeNull();
    expect(
      mapEvent({ Type: 'container', Action: 'start', Actor: { ID: 'x', Attributes: {} } }),
    ).toBeNull();
  });

  it('reads the old "status"/"id" fields and falls back to seconds', () => {
    const e = mapEvent({
      status: 'die',
      id: 'old',
      time: 1_700_000_000,
      Actor: { Attributes: { 'genos.env': 'e', exitCode: '0' } },
    });
    expect(e).toEqual({
      envId: 'e',
      containerId: 'old',
      at: '2023-11-14T22:13:20.000Z',
      change: { kind: 'died', exitCode: 0 },
    });
  });
});

describe('docker errors', () => {
  const err = (props: object) =>
    Object.assign(new Error('(HTTP code 404) no such container - No such container: x '), props);

  it('maps HTTP codes to GenOS codes with the engine words', () => {
    expect(toGenosError(err({ statusCode: 404 }), 'start c', null)).toMatchObject({
      code: 'NOT_FOUND',
      message: 'start c: No such container: x',
    });
    expect(toGenosError(err({ statusCode: 409 }), 'x', null).code).toBe('CONFLICT');
    expect(toGenosError(err({ statusCode: 400 }), 'x', null).code).toBe('BAD_ARGS');
    expect(
      toGenosError(err({ statusCode: 500, json: { message: 'boom' } }), 'x', null),
    ).toMatchObject({
      code: 'INTERNAL',
      message: 'x: the engine failed: boom',
    });
    expect(
      toGenosError(
        err({
          statusCode: 500,
          json: { message: 'Bind for 127.0.0.1:80 failed: port is already allocated' },
        }),
        'start',
        null,
      ),
    ).toMatchObject({ code: 'CONFLICT', message: expect.stringMatching(/another host port/) });
  });

  it('connection failures are UNAVAILABLE, naming the endpoint and how to start the engine', () => {
    for (const code of ['ENOENT', 'ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'EACCES']) {
      const e = Object.assign(new Error('connect failed'), { code });
      expect(isConnectionError(e)).toBe(true);
      const g = toGenosError(e, 'stop c', 'unix:///var/run/docker.sock');
      expect(g.code).toBe('UNAVAILABLE');
      expect(g.message).toMatch(/unix:\/\/\/var\/run\/docker\.sock/);
      expect(g.message).toMatch(/systemctl start docker/);
    }
    expect(isConnectionError(new Error('socket hang up'))).toBe(true);
    expect(isConnectionError(err({ statusCode: 404 }))).toBe(false);
  });

  it('aborts are CANCELLED', () => {
    const e = Object.assign(new Error('The operation was aborted'), { name: 'AbortError' });
    expect(toGenosError(e, 'pull', null).code).toBe('CANCELLED');
  });

  it('engineMessage strips the docker-modem prefix', () => {
    expect(engineMessage(err({}))).toBe('No such container: x');
  });
});

describe('labels and adoption', () => {
  it('names', () => {
    expect(containerName('abc', { name: 'web' })).toBe('genos-web-abc');
    expect(snapshotRef('abc', 'before-1.0')).toBe('genos-snap/abc:before-1.0');
    expect(() => snapshotRef('abc', '-bad')).toThrow(/not usable as an image tag/);
    expect(() => snapshotRef('abc', 'a b')).toThrow(/not usable/);
    expect(() => snapshotRef('ABC', 'ok')).toThrow(/cannot name a container/);
    expect(labelFilters()).toEqual(['genos.env']);
    expect(labelFilters({ 'genos.test': 'r1' }, 'e1')).toEqual(['genos.env=e1', 'genos.test=r1']);
  });

  const c = (env: string | undefined, state = 'running') =>
    ({
      Id: `id-${env}`,
      Names: [`/genos-x-${env}`],
      Image: 'img',
      State: state,
      Created: 1_700_000_000,
      Labels: env ? { 'genos.env': env } : {},
    }) as unknown as Docker.ContainerInfo;

  it('running handles for re-adoption', () => {
    expect(runningHandles([c('e1'), c(undefined)])).toEqual([
      { envId: 'e1', handles: { containerId: 'id-e1', containerName: 'genos-x-e1', image: 'img' } },
    ]);
  });

  it('unknown = labelled but not in the store; reported with what the user needs', () => {
    expect(unknownContainers([c('e1'), c('e2', 'exited')], ['e1'])).toEqual([
      {
        envId: 'e2',
        containerId: 'id-e2',
        name: 'genos-x-e2',
        state: 'exited',
        image: 'img',
        createdAt: '2023-11-14T22:13:20.000Z',
      },
    ]);
  });
});
