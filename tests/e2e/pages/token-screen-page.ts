import type { Locator, Page } from '@playwright/test';

/** What a page opened without a (valid) token shows instead of the app. */
export class TokenScreenPage {
  readonly heading: Locator;
  readonly message: Locator;

  constructor(readonly page: Page) {
    this.heading = page.getByRole('heading', { name: 'Open GenOS with its link' });
    this.message = page.getByText(
      /This page needs the link with its token — copy the full URL that genos serve printed/,
    );
  }
}
