import type { Locator, Page } from '@playwright/test';

/** The Images page: the imports (dropped files) and the library table. */
export class ImagesPage {
  readonly library: Locator;
  readonly imports: Locator;
  readonly emptyLibrary: Locator;

  constructor(readonly page: Page) {
    this.library = page.getByRole('table', { name: 'Image library' });
    this.imports = page.getByRole('list', { name: 'Imports' });
    this.emptyLibrary = page.getByText('No images yet.');
  }

  /** The library row whose row header is this image's name. */
  image(name: string): Locator {
    return this.library
      .getByRole('row')
      .filter({ has: this.page.getByRole('rowheader', { name, exact: true }) });
  }

  /** A cell of the image's row by column: 1 format, 2 virtual size, 3 actual size, ... */
  cell(name: string, column: number): Locator {
    return this.image(name)
      .getByRole('cell')
      .nth(column - 1);
  }

  imageError(name: string): Locator {
    return this.library.getByRole('alert').filter({ hasText: name });
  }

  /** The entry for a dropped file, named by its file name. */
  importOf(fileName: string): Locator {
    return this.imports.getByRole('listitem', { name: fileName, exact: true });
  }

  async convert(name: string, format: string): Promise<void> {
    await this.page.getByRole('button', { name: `Convert ${name}`, exact: true }).click();
    const dialog = this.page.getByRole('dialog', { name: `Convert ${name}` });
    await dialog.getByLabel('Target format').selectOption(format);
    await dialog.getByRole('button', { name: 'Convert', exact: true }).click();
  }

  async delete(name: string): Promise<void> {
    await this.page.getByRole('button', { name: `Delete ${name}`, exact: true }).click();
    await this.page
      .getByRole('dialog', { name: `Delete ${name}?` })
      .getByRole('button', { name: 'Delete', exact: true })
      .click();
  }
}
