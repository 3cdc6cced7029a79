import type {
  Backend,
  BackendHandles,
  EnvRef,
  RuntimeStatus,
} from '../../main/backends/backend.js';
import { GenosError } from '../../main/core/errors.js';

/**
 * An in-memory backend for orchestrator unit tests: records calls, keeps a "running" set that a
 * test can change behind the orchestrator's back (as a crash would), and fails on request.
 */
export class FakeBackend implements Backend {
  readonly calls: string[] = [];
  readonly instances = new Map<string, 'running' | 'paused' | 'stopped'>();
  failNext: Partial<Record<keyof Backend, Error>> = {};

  constructor(readonly kind: 'qemu' | 'docker' = 'qemu') {}

  private step(method: keyof Backend, env: EnvRef | string) {
    const id = typeof env === 'string' ? env : env.id;
    this.calls.push(`${method}:${id}`);
    const failure = this.failNext[method];
    if (failure) {
      delete this.failNext[method];
      throw failure;
    }
  }

  async plan(env: EnvRef) {
    this.step('plan', env);
    return {
      backend: 'qemu' as const,
      binary: 'qemu-system-x86_64',
      argv: ['-name', env.spec.name],
      runtimeDir: '/run/x',
      notes: [],
    };
  }
  async create(env: EnvRef): Promise<BackendHandles> {
    this.step('create', env);
    this.instances.set(env.id, 'stopped');
    return { created: true };
  }
  async start(env: EnvRef): Promise<BackendHandles> {
    this.step('start', env);
    this.instances.set(env.id, 'running');
    return { ...env.handles, pid: 4242 };
  }
  async stop(env: EnvRef) {
    this.step('stop', env);
    this.instances.set(env.id, 'stopped');
  }
  async kill(env: EnvRef) {
    this.step('kill', env);
    this.instances.set(env.id, 'stopped');
  }
  async pause(env: EnvRef) {
    this.step('pause', env);
    this.instances.set(env.id, 'paused');
  }
  async resume(env: EnvRef) {
    this.step('resume', env);
    this.instances.set(env.id, 'running');
  }
  async snapshot(): Promise<never> {
    throw new GenosError('UNSUPPORTED', 'fake');
  }
  async restore(): Promise<never> {
    throw new GenosError('UNSUPPORTED', 'fake');
  }
  async deleteSnapshot(): Promise<never> {
    throw new GenosError('UNSUPPORTED', 'fake');
  }
  async remove(env: EnvRef) {
    this.step('remove', env);
    this.instances.delete(env.id);
  }
  async inspect(env: EnvRef): Promise<RuntimeStatus> {
    this.step('inspect', env);
    const state = this.instances.get(env.id);
    if (!state) return { state: 'missing', reason: 'no such instance' };
    if (state === 'stopped')
      return { state: 'stopped', exitCode: 137, reason: 'qemu exited with signal 9' };
    return { state };
  }
  async stats(): Promise<never> {
    throw new GenosError('UNSUPPORTED', 'fake');
  }
  async openConsole(): Promise<never> {
    throw new GenosError('UNSUPPORTED', 'fake');
  }
  async consoleLog(env: EnvRef): Promise<Buffer> {
    return Buffer.from(`console of ${env.id}\n`);
  }
  async openDisplay() {
    return { protocol: 'none' as const, reason: 'fake' };
  }
  async listRunning() {
    return [...this.instances]
      .filter(([, s]) => s !== 'stopped')
      .map(([envId]) => ({ envId, handles: {} }));
  }
}
