import type { Locator, Page } from '@playwright/test';

/** The keyboard shortcuts overlay (`?`). */
export class HelpOverlay {
  readonly dialog: Locator;

  constructor(readonly page: Page) {
    this.dialog = page.getByRole('dialog', { name: 'Keyboard shortcuts' });
  }

  /** The row that lists a shortcut's action, e.g. "Go to Images". */
  shortcut(action: string): Locator {
    return this.dialog
      .getByRole('row')
      .filter({ has: this.page.getByRole('cell', { name: action, exact: true }) });
  }
}
