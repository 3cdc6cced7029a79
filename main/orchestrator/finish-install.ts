import { EnvironmentSpec, type EnvironmentSummary } from '../../preload/contract.js';
import type { EventBus } from '../api/event-bus.js';
import { hasInstallerControl } from '../backends/qemu/install.js';
import type { Audit } from '../core/audit.js';
import { GenosError } from '../core/errors.js';
import type { Store } from '../store/store.js';
import type { BackendResolver, Orchestrator } from './orchestrator.js';
import { isCatalogInstaller } from '../../preload/contract.js';

export type FinishInstallDeps = {
  store: Store;
  audit: Audit;
  bus: EventBus;
  orchestrator: Orchestrator;
  backend: BackendResolver;
};

/** A running VM gets its ISO ejected; one at rest simply boots its disk next time. */
const ALLOWED = new Set(['running', 'paused', 'stopped', 'failed', 'draft']);

export type FinishInstallResult = { env: EnvironmentSummary; ejected: boolean };

/**
 * "Finish installation": an ISO environment boots its disk from now on, and its installer ISO is
 * detached (spec.installed, stored with the environment, so it holds across restarts). A running
 * VM has the medium ejected at once, so a reboot from inside the guest cannot land in the
 * installer again. spec.image keeps naming the ISO: it is where the system came from.
 */
export class InstallFinisher {
  constructor(private readonly deps: FinishInstallDeps) {}

  async finish(id: string, actor: string): Promise<FinishInstallResult> {
    this.check(this.get(id));
    return this.deps.orchestrator.exclusive(id, async () => {
      const env = this.get(id);
      const spec = this.check(env);
      let ejected = false;
      if (env.state === 'running' || env.state === 'paused') {
        const backend = await this.deps.backend('qemu');
        if (hasInstallerControl(backend)) {
          ejected = await backend.ejectInstaller(this.deps.orchestrator.refFor(env));
        }
      }
      const updated = this.deps.store.setEnvironmentSpec(id, { ...spec, installed: true });
      this.deps.audit.record({
        actor,
        action: 'env.install-finished',
        target: id,
        outcome: 'ok',
        detail: { image: spec.image.kind === 'library' ? spec.image.imageId : null, ejected },
      });
      this.deps.bus.emit('environmentChanged', updated);
      return { env: updated, ejected };
    });
  }

  private get(id: string): EnvironmentSummary {
    const env = this.deps.store.getEnvironment(id);
    if (!env) throw new GenosError('NOT_FOUND', `There is no environment with id "${id}".`);
    return env;
  }

  private check(env: EnvironmentSummary): EnvironmentSpec {
    const spec = EnvironmentSpec.parse(env.spec);
    const img = spec.image.kind === 'library' ? this.deps.store.getImage(spec.image.imageId) : null;
    const iso = img?.format === 'iso' || isCatalogInstaller(spec.image);
    if (env.backend !== 'qemu' || !iso) {
      throw new GenosError(
        'BAD_ARGS',
        `${env.name} does not boot an installer ISO, so there is no installation to finish.`,
      );
    }
    if (spec.installed) {
      throw new GenosError(
        'CONFLICT',
        `${env.name}'s installation is already finished: it boots from its disk.`,
      );
    }
    if (!ALLOWED.has(env.state)) {
      throw new GenosError(
        'CONFLICT',
        `${env.name} is ${env.state}: wait until it is running or stopped, then finish the installation.`,
      );
    }
    return spec;
  }
}
