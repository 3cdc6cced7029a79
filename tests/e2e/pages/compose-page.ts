import { expect } from '@playwright/test';
import type { Download, Locator, Page } from '@playwright/test';

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The Compose page: prompt, spec chips, dry run, launch and recipes. */
export class ComposePage {
  readonly prompt: Locator;
  readonly promptRegion: Locator;
  readonly spec: Locator;
  readonly chips: Locator;
  readonly composeError: Locator;
  readonly warnings: Locator;
  readonly plan: Locator;
  readonly qemuArgs: Locator;
  readonly dockerOptions: Locator;
  readonly planError: Locator;
  readonly launchGroup: Locator;
  readonly launchButton: Locator;
  readonly createButton: Locator;
  readonly launchError: Locator;
  readonly recipeInput: Locator;
  readonly saveRecipeButton: Locator;
  readonly saveDialog: Locator;
  readonly recipeError: Locator;
  readonly recipeEnvironments: Locator;

  constructor(readonly page: Page) {
    this.prompt = page.getByRole('textbox', { name: 'Prompt', exact: true });
    this.promptRegion = page.getByRole('region', { name: 'Describe it' });
    this.spec = page.getByRole('region', { name: 'Spec', exact: true });
    this.chips = this.spec.getByRole('list', { name: 'Spec fields' });
    this.composeError = page.getByRole('alert').filter({ hasText: 'No environment from this' });
    this.warnings = page.getByRole('list', { name: 'Warnings' });
    this.plan = page.getByRole('region', { name: 'Dry run' });
    this.qemuArgs = this.plan.getByRole('figure', { name: 'QEMU arguments' });
    this.dockerOptions = this.plan.getByRole('figure', { name: 'Docker create options' });
    this.planError = this.plan.getByRole('alert');
    this.launchGroup = page.getByRole('group', { name: 'Launch' });
    this.launchButton = this.launchGroup.getByRole('button', { name: /^Launch/ });
    this.createButton = this.launchGroup.getByRole('button', { name: 'Create without starting' });
    this.launchError = this.launchGroup.getByRole('alert');
    // Visually hidden (the "Open recipe…" button clicks it): found by its label for setInputFiles.
    this.recipeInput = page.getByLabel('Recipe file');
    this.saveRecipeButton = page.getByRole('button', { name: 'Save recipe…' });
    this.saveDialog = page.getByRole('dialog', { name: 'Save recipe' });
    this.recipeError = page.getByRole('alert').filter({ hasText: 'Could not open' });
    this.recipeEnvironments = page.getByRole('list', { name: 'Recipe environments' });
  }

  /** Types a prompt (replacing what is there); it is composed as it is typed. */
  async type(text: string): Promise<void> {
    await this.prompt.fill(text);
  }

  /** Types a prompt and presses Enter: composed at once and kept in the history. */
  async compose(text: string): Promise<void> {
    await this.prompt.fill(text);
    await this.prompt.press('Enter');
  }

  chip(label: string): Locator {
    return this.chips.getByRole('listitem', { name: label, exact: true });
  }

  /** The chip's own button ("Memory 2048 MiB"), which opens its editor. */
  chipButton(label: string): Locator {
    return this.chip(label).getByRole('button', { name: new RegExp(`^${escapeRegExp(label)} `) });
  }

  chipEditor(label: string): Locator {
    return this.chip(label).getByRole('form', { name: `Edit ${label}` });
  }

  /** Opens a chip's editor, sets the field labelled `field` and applies it. */
  async editChip(label: string, field: string, value: string): Promise<void> {
    await this.chipButton(label).click();
    const editor = this.chipEditor(label);
    const control = editor.getByLabel(field, { exact: true });
    if ((await control.evaluate((el) => el.tagName)) === 'SELECT')
      await control.selectOption(value);
    else await control.fill(value);
    await editor.getByRole('button', { name: 'Apply' }).click();
    await expect(editor).toBeHidden();
  }

  /** The QEMU argv of the dry run, one argument per line. */
  async argv(): Promise<string[]> {
    return ((await this.qemuArgs.textContent()) ?? '').split('\n');
  }

  /** The argument after `flag` in the dry run's argv (e.g. "-m" -> "2048M"). */
  async argAfter(flag: string): Promise<string | undefined> {
    const args = await this.argv();
    const at = args.indexOf(flag);
    return at < 0 ? undefined : args[at + 1];
  }

  async openRecipe(name: string, text: string): Promise<void> {
    await this.recipeInput.setInputFiles({
      name,
      mimeType: name.endsWith('.json') ? 'application/json' : 'application/yaml',
      buffer: Buffer.from(text),
    });
  }

  /** Save recipe… -> the dialog (file name `fileName` when given) -> the download. */
  async saveRecipe(fileName?: string): Promise<Download> {
    await this.saveRecipeButton.click();
    await expect(this.saveDialog).toBeVisible();
    if (fileName !== undefined) await this.saveDialog.getByLabel('File name').fill(fileName);
    const download = this.page.waitForEvent('download');
    await this.saveDialog.getByRole('button', { name: 'Save', exact: true }).click();
    return download;
  }

  /** Drops a file on the Compose page itself (its prompt card), as a file manager would. */
  async dropOnPage(name: string, text: string): Promise<void> {
    const dataTransfer = await this.page.evaluateHandle(
      ([fileName, content]) => {
        const data = new DataTransfer();
        data.items.add(new File([content], fileName, { type: 'application/octet-stream' }));
        return data;
      },
      [name, text] as const,
    );
    for (const type of ['dragenter', 'dragover', 'drop'])
      await this.promptRegion.dispatchEvent(type, { dataTransfer });
    await dataTransfer.dispose();
  }
}
