import type { Locator, Page } from '@playwright/test';
import { factValue } from './fact';

export type ThemeName = 'System' | 'Light' | 'Dark';

/** The Settings page: the theme radios, the defaults form and the About facts. */
export class SettingsPage {
  readonly themeGroup: Locator;
  readonly networkMode: Locator;
  readonly memoryShare: Locator;
  readonly cpuOvercommit: Locator;
  readonly llmEndpoint: Locator;
  readonly saveButton: Locator;
  readonly saved: Locator;

  constructor(readonly page: Page) {
    this.themeGroup = page.getByRole('group', { name: 'Theme' });
    this.networkMode = page.getByLabel('Default network mode');
    this.memoryShare = page.getByLabel('Memory share for running environments (%)');
    this.cpuOvercommit = page.getByLabel('CPU overcommit (virtual CPUs per host CPU)');
    this.llmEndpoint = page.getByLabel('LLM endpoint');
    this.saveButton = page.getByRole('button', { name: 'Save' });
    this.saved = page.getByRole('status').filter({ hasText: 'Saved' });
  }

  theme(name: ThemeName): Locator {
    return this.themeGroup.getByRole('radio', { name });
  }

  async chooseTheme(name: ThemeName): Promise<void> {
    await this.theme(name).check();
  }

  /** A fact in the About section, e.g. "Data directory". */
  about(label: string): Locator {
    return factValue(this.page, label);
  }
}
