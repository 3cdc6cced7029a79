import type { Locator, Page } from '@playwright/test';

/** Points of an SVG path drawn as "M x y L x y ..." (one command per sample). */
export async function pathPoints(path: Locator): Promise<number> {
  const d = (await path.getAttribute('d')) ?? '';
  return (d.match(/[ML]/g) ?? []).length;
}

/** The live CPU / memory sparklines in a row of the Environments list. */
export class UsageSparklines {
  constructor(
    readonly page: Page,
    readonly row: Locator,
    readonly name: string,
  ) {}

  chart(what: 'CPU' | 'Memory'): Locator {
    return this.row.getByRole('img', { name: new RegExp(`^${what} of ${this.name}:`) });
  }

  line(what: 'CPU' | 'Memory'): Locator {
    return this.chart(what).locator('path');
  }
}

/** The Metrics tab: four charts (CPU, Memory, Network, Disk), each a figure named by its title. */
export class MetricsView {
  constructor(readonly panel: Locator) {}

  get charts(): Locator {
    return this.panel.getByRole('figure');
  }

  chart(title: 'CPU' | 'Memory' | 'Network' | 'Disk'): Locator {
    return this.panel.getByRole('figure', { name: title, exact: true });
  }

  /** The drawn lines of a chart (one per series). */
  lines(title: 'CPU' | 'Memory' | 'Network' | 'Disk'): Locator {
    return this.chart(title).locator('path.metric-chart__line');
  }

  plot(title: 'CPU' | 'Memory' | 'Network' | 'Disk'): Locator {
    return this.chart(title).getByRole('img');
  }

  /** The hover read-out (time and values under the pointer). */
  readout(title: 'CPU' | 'Memory' | 'Network' | 'Disk'): Locator {
    return this.chart(title).getByRole('status');
  }
}
