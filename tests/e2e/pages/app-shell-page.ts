import { expect } from '@playwright/test';
import type { Locator, Page } from '@playwright/test';

export type NavTarget = 'Compose' | 'Environments' | 'Images' | 'Host' | 'Settings';

/** The frame around every page: header, connection indicator, sidebar navigation. */
export class AppShellPage {
  readonly nav: Locator;
  readonly connection: Locator;
  readonly appName: Locator;
  readonly pageHeading: Locator;
  readonly main: Locator;

  constructor(readonly page: Page) {
    this.nav = page.getByRole('navigation', { name: 'Main' });
    this.connection = page.getByRole('status', { name: 'Connection' });
    this.appName = page.getByRole('banner').getByText('GenOS', { exact: true });
    this.pageHeading = page.getByRole('heading', { level: 1 });
    this.main = page.getByRole('main');
  }

  navLink(name: NavTarget): Locator {
    return this.nav.getByRole('link', { name, exact: true });
  }

  async open(url: string): Promise<void> {
    await this.page.goto(url);
    await this.expectConnected();
  }

  async expectConnected(): Promise<void> {
    await expect(this.appName).toBeVisible();
    await expect(this.connection).toHaveText('Connected');
  }

  async goTo(name: NavTarget): Promise<void> {
    await this.navLink(name).click();
    await expect(this.navLink(name)).toHaveAttribute('aria-current', 'page');
    await expect(this.pageHeading).toHaveText(name);
  }

  /** The theme the document shows: what the stylesheet keys on. */
  appliedTheme(): Locator {
    return this.page.locator('html');
  }
}
