import type { Locator, Page } from '@playwright/test';

/** The Images page's OS catalog section: one row per OS/version with a VM image. */
export class CatalogSection {
  readonly table: Locator;

  constructor(readonly page: Page) {
    this.table = page.getByRole('table', { name: 'OS catalog images' });
  }

  /** The row whose row header starts with the image's name (local entries add "(local)"). */
  row(name: string): Locator {
    return this.table
      .getByRole('row')
      .filter({ has: this.page.getByRole('rowheader', { name: new RegExp(`^${name}\\b`) }) });
  }

  /** 1 state, 2 size, 3 file to drop in. */
  cell(name: string, column: number): Locator {
    return this.row(name)
      .getByRole('cell')
      .nth(column - 1);
  }

  button(label: string): Locator {
    return this.table.getByRole('button', { name: label, exact: true });
  }

  progress(title: string): Locator {
    return this.table.getByRole('group', { name: title }).getByRole('progressbar');
  }
}
