import type { Locator, Page } from '@playwright/test';
import { factValue } from './fact';

/** The Host page: the probe's facts, each found by its label. */
export class HostPage {
  readonly reprobeButton: Locator;
  readonly qemuTable: Locator;
  readonly installList: Locator;
  readonly error: Locator;

  constructor(readonly page: Page) {
    this.reprobeButton = page.getByRole('button', { name: 'Re-probe' });
    this.qemuTable = page.getByRole('table', { name: 'QEMU system emulators' });
    this.installList = page.getByRole('region', { name: 'What to install' });
    this.error = page.getByRole('alert');
  }

  /** The value shown for a label such as "CPUs" or "Selected accelerator". */
  fact(label: string): Locator {
    return factValue(this.page, label);
  }

  /** The row for one emulator binary, e.g. qemu-system-x86_64. */
  qemuRow(binary: string): Locator {
    const header = this.page.getByRole('rowheader', { name: new RegExp(`/${binary}$`) });
    return this.qemuTable.getByRole('row').filter({ has: header });
  }
}
