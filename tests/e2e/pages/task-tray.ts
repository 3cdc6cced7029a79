import { expect } from '@playwright/test';
import type { Locator, Page } from '@playwright/test';

/** The header's task tray: its button (with the running count) and the popover list. */
export class TaskTray {
  readonly button: Locator;
  readonly panel: Locator;

  constructor(readonly page: Page) {
    this.button = page.getByRole('banner').getByRole('button', { name: /^Tasks/ });
    this.panel = page.getByRole('dialog', { name: 'Tasks' });
  }

  async open(): Promise<void> {
    if ((await this.button.getAttribute('aria-expanded')) !== 'true') await this.button.click();
    await expect(this.panel).toBeVisible();
  }

  async close(): Promise<void> {
    if ((await this.button.getAttribute('aria-expanded')) === 'true') await this.button.click();
    await expect(this.panel).toBeHidden();
  }

  /** A task by its title, e.g. "Import disk.qcow2" or "Convert disk to raw". */
  task(title: string): Locator {
    return this.panel.getByRole('listitem', { name: title, exact: true });
  }

  cancel(title: string): Locator {
    return this.task(title).getByRole('button', { name: `Cancel ${title}` });
  }
}
