import type { Locator, Page } from '@playwright/test';

export type EnvAction = 'Start' | 'Stop' | 'Restart' | 'Pause' | 'Resume' | 'Delete';

/** The Environments page: the list (or its empty state), its rows and the live activity feed. */
export class EnvironmentsPage {
  readonly emptyState: Locator;
  readonly activity: Locator;
  readonly table: Locator;

  constructor(readonly page: Page) {
    this.emptyState = page.getByText('No environments yet — compose one');
    this.activity = page.getByRole('list', { name: 'Recent activity' });
    this.table = page.getByRole('table', { name: 'Environments' });
  }

  activityItem(action: string): Locator {
    return this.activity.getByRole('listitem').filter({ hasText: action });
  }

  /** The environment's row: the one whose row header is its name. */
  row(name: string): Locator {
    return this.table
      .getByRole('row')
      .filter({ has: this.page.getByRole('rowheader', { name, exact: true }) });
  }

  /** The state word in the row ("draft", "running", ...). */
  state(name: string): Locator {
    return this.row(name).locator('.state');
  }

  action(name: string, action: EnvAction): Locator {
    return this.row(name).getByRole('button', { name: `${action} ${name}`, exact: true });
  }

  /** The inline error under the row, if its last action failed. */
  rowError(name: string): Locator {
    return this.table.getByRole('alert').filter({ hasText: name });
  }

  /** The opened environment (Enter on its row): a region named by it. */
  detail(name: string): Locator {
    return this.page.getByRole('region', { name, exact: true });
  }

  deleteDialog(name: string): Locator {
    return this.page.getByRole('dialog', { name: `Delete ${name}?` });
  }

  /** Selects the row (a click on its state cell) so the list's keys act on it. */
  async select(name: string): Promise<void> {
    await this.state(name).click();
  }
}
