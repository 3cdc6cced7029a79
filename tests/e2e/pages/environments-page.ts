import type { Locator, Page } from '@playwright/test';

/** The Environments page: the list (or its empty state) and the live activity feed. */
export class EnvironmentsPage {
  readonly emptyState: Locator;
  readonly activity: Locator;

  constructor(readonly page: Page) {
    this.emptyState = page.getByText('No environments yet — compose one');
    this.activity = page.getByRole('list', { name: 'Recent activity' });
  }

  activityItem(action: string): Locator {
    return this.activity.getByRole('listitem').filter({ hasText: action });
  }
}
