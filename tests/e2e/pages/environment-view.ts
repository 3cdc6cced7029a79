import { expect } from '@playwright/test';
import type { Locator, Page } from '@playwright/test';

export type EnvTab = 'Display' | 'Terminal' | 'Logs' | 'Snapshots' | 'Metrics' | 'Settings';

/** One environment's page (`#/environments/<id>`): its header, tabs and what each tab holds. */
export class EnvironmentView {
  readonly region: Locator;

  constructor(
    readonly page: Page,
    readonly name: string,
  ) {
    this.region = page.getByRole('region', { name, exact: true });
  }

  /**
   * Loads the environment's address as a new document (a reload: going to a URL that differs
   * only in its fragment would not load anything). The serve token is already in the session's
   * storage; `origin` is the server's, without the `#token=` of its first URL.
   */
  async open(origin: string, id: string, tab?: string): Promise<void> {
    await this.page.goto(
      `${origin}/#/environments/${encodeURIComponent(id)}${tab ? `/${tab}` : ''}`,
    );
    await this.page.reload();
    await expect(this.region).toBeVisible();
  }

  /** The state word in the header. */
  get state(): Locator {
    return this.region.locator('.facts .state');
  }

  action(label: 'Start' | 'Stop' | 'Restart' | 'Pause' | 'Resume' | 'Delete'): Locator {
    return this.region.getByRole('button', { name: `${label} ${this.name}`, exact: true });
  }

  tab(name: EnvTab): Locator {
    return this.region.getByRole('tab', { name, exact: true });
  }

  /** The open tab's panel (the others are hidden, so not in the accessibility tree). */
  get panel(): Locator {
    return this.region.getByRole('tabpanel');
  }

  async show(name: EnvTab): Promise<void> {
    await this.tab(name).click();
    await expect(this.tab(name)).toHaveAttribute('aria-selected', 'true');
  }

  // Display ------------------------------------------------------------------------------------

  get screen(): Locator {
    return this.region.getByRole('region', { name: `Screen of ${this.name}` });
  }

  get displayCanvas(): Locator {
    return this.screen.locator('canvas');
  }

  displayButton(
    name: 'Scale to fit' | 'Full screen' | 'Send Ctrl+Alt+Del' | 'Screenshot',
  ): Locator {
    return this.region
      .getByRole('toolbar', { name: `Display of ${this.name}` })
      .getByRole('button', { name, exact: true });
  }

  /** How many distinct colours the guest's frame has (1: a blank, uniform frame). */
  async displayColourCount(frame: Locator = this.displayCanvas): Promise<number> {
    return frame.evaluate((canvas: HTMLCanvasElement) => {
      const context = canvas.getContext('2d');
      if (!context || canvas.width === 0 || canvas.height === 0) return 0;
      const { data } = context.getImageData(0, 0, canvas.width, canvas.height);
      const colours = new Set<number>();
      for (let i = 0; i < data.length && colours.size < 16; i += 4)
        colours.add((data[i]! << 16) | (data[i + 1]! << 8) | data[i + 2]!);
      return colours.size;
    });
  }

  // Terminal -----------------------------------------------------------------------------------

  get terminal(): Locator {
    return this.region.getByRole('region', {
      name: /^(Serial console|SSH terminal|Shell|Main process) of /,
    });
  }

  /** The terminal's rows as text (xterm's DOM renderer: one element per row). */
  async terminalText(): Promise<string> {
    return this.terminal.locator('.xterm-rows').evaluate((rows) =>
      Array.from(rows.children)
        .map((row) => (row.textContent ?? '').trimEnd())
        .join('\n'),
    );
  }

  async expectTerminalText(pattern: RegExp, timeout = 30_000): Promise<void> {
    await expect.poll(() => this.terminalText(), { timeout }).toMatch(pattern);
  }

  /** Types a line into the terminal (it has the keyboard once clicked) and presses Enter. */
  async typeLine(line: string): Promise<void> {
    await this.terminal.locator('.xterm').click();
    await this.page.keyboard.type(line);
    await this.page.keyboard.press('Enter');
  }

  /** The status line of the open tab's toolbar ("Connected", "Reconnecting…"). */
  get linkStatus(): Locator {
    return this.panel.getByRole('toolbar').getByRole('status');
  }

  // Logs ---------------------------------------------------------------------------------------

  get log(): Locator {
    return this.region.getByLabel('Console log');
  }

  // Snapshots ----------------------------------------------------------------------------------

  get snapshotTable(): Locator {
    return this.region.getByRole('table', { name: `Snapshots of ${this.name}` });
  }

  snapshotRow(name: string): Locator {
    return this.snapshotTable
      .getByRole('row')
      .filter({ has: this.page.getByRole('rowheader', { name, exact: true }) });
  }

  async takeSnapshot(name: string, kind: 'Live' | 'Disk only' | 'Commit'): Promise<void> {
    const form = this.region.getByRole('form', { name: 'Take a snapshot' });
    await form.getByLabel('Snapshot name').fill(name);
    await form.getByLabel('Kind').selectOption({ label: kind });
    await form.getByRole('button', { name: 'Take snapshot' }).click();
  }

  /** Restore or Delete on the snapshot's row, then the confirming dialog's button. */
  async snapshotAction(action: 'Restore' | 'Delete', name: string): Promise<void> {
    await this.snapshotRow(name)
      .getByRole('button', { name: `${action} ${name}`, exact: true })
      .click();
    const dialog = this.page.getByRole('dialog', {
      name: action === 'Restore' ? `Restore ${name}?` : `Delete snapshot ${name}?`,
    });
    await dialog.getByRole('button', { name: action, exact: true }).click();
    await expect(dialog).toBeHidden();
  }

  get snapshotBusy(): Locator {
    return this.panel.locator('.notice--loading');
  }
}
