import type { Locator } from '@playwright/test';

/** An environment's Settings tab: the form of what may change while stopped, and the facts. */
export class EnvironmentSettingsView {
  readonly form: Locator;

  constructor(
    readonly panel: Locator,
    readonly name: string,
  ) {
    this.form = panel.getByRole('form', { name: `Settings of ${name}` });
  }

  get cpus(): Locator {
    return this.form.getByLabel('CPUs', { exact: true });
  }

  get memory(): Locator {
    return this.form.getByLabel('Memory (MiB)', { exact: true });
  }

  get disk(): Locator {
    return this.form.getByLabel('Disk (GiB)', { exact: true });
  }

  get network(): Locator {
    return this.form.getByLabel('Network', { exact: true });
  }

  get restartPolicy(): Locator {
    return this.form.getByLabel('Restart policy', { exact: true });
  }

  get addPort(): Locator {
    return this.form.getByRole('button', { name: 'Add a port' });
  }

  get save(): Locator {
    return this.form.getByRole('button', { name: 'Save', exact: true });
  }

  get saved(): Locator {
    return this.form.getByRole('status');
  }

  get notes(): Locator {
    return this.form.getByRole('list', { name: 'What the change means' });
  }

  get recreateWarning(): Locator {
    return this.form.getByRole('note').filter({ hasText: 'Saving re-creates the container' });
  }

  get error(): Locator {
    return this.form.getByRole('alert');
  }
}
