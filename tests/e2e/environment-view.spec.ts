import { backendAvailable } from '../helpers/backends';
import { kernelGuestVmSpec } from '../helpers/spec-fixture';
import { ensureTestGuest } from '../helpers/test-guest';
import type { TestGuest } from '../helpers/test-guest';
import { needsChromium } from './fixtures/chromium';
import { callInPage } from './fixtures/page-api';
import { watchPage } from './fixtures/page-problems';
import { expect, test } from './fixtures/qemu-test';
import { readmeShot } from './fixtures/readme-shot';
import { containerSuite } from './fixtures/stoppable-image';
import { AppShellPage } from './pages/app-shell-page';
import { EnvironmentView } from './pages/environment-view';

needsChromium();

test.describe('a virtual machine’s page', () => {
  test.skip(!backendAvailable('qemu'), 'qemu is not installed');

  let guest: TestGuest;
  test.beforeAll(async () => {
    test.setTimeout(300_000); // a first build of the test guest downloads a kernel package
    guest = await ensureTestGuest();
  });

  test('terminal, display, logs, snapshots and the header drive a real VM', async ({
    page,
    server,
  }) => {
    test.setTimeout(120_000);
    const watch = await watchPage(page);
    const shell = new AppShellPage(page);
    await shell.open(server.url);

    const name = 'view-vm';
    const { items } = await callInPage(page, 'createEnvironment', {
      spec: kernelGuestVmSpec(guest, name),
    });
    const id = items[0]!.id;
    try {
      const view = new EnvironmentView(page, name);
      await view.open(server.origin, id, 'terminal');
      await expect(view.state).toHaveText('draft');
      await view.action('Start').click();
      await expect(view.state).toHaveText('running', { timeout: 30_000 });

      await test.step('terminal: the guest’s console, with its output and our input', async () => {
        await expect(view.linkStatus).toHaveText('Connected', { timeout: 15_000 });
        await view.expectTerminalText(new RegExp(guest.readyMarker), 60_000);
        await view.typeLine('echo $((6*7))');
        await view.expectTerminalText(/^42$/m);
        await page.screenshot({ path: test.info().outputPath('vm-terminal.png') });
      });

      await test.step('display: noVNC shows a frame that is not uniform', async () => {
        await view.show('Display');
        await expect(view.displayCanvas).toBeVisible({ timeout: 15_000 });
        await expect(view.linkStatus).toHaveText('Connected', { timeout: 15_000 });
        await expect.poll(() => view.displayColourCount(), { timeout: 15_000 }).toBeGreaterThan(1);
        await expect(view.displayButton('Send Ctrl+Alt+Del')).toBeEnabled();
        await readmeShot(page, 'display');
        await expect(view.displayButton('Scale to fit')).toHaveAttribute('aria-pressed', 'true');
        const download = page.waitForEvent('download');
        await view.displayButton('Screenshot').click();
        expect((await download).suggestedFilename()).toMatch(/^view-vm-.*\.png$/);
      });

      await test.step('logs: the console log has the boot', async () => {
        await view.show('Logs');
        await expect(view.log).toContainText(guest.readyMarker);
        await expect(view.panel.getByRole('checkbox', { name: 'Follow' })).toBeChecked();
        await page.screenshot({ path: test.info().outputPath('vm-logs.png') });
      });

      await test.step('snapshots: live snapshot, change, restore, the change is gone', async () => {
        await view.show('Snapshots');
        await view.takeSnapshot('s1', 'Live');
        await expect(view.snapshotRow('s1')).toContainText('Live', { timeout: 30_000 });
        await page.screenshot({ path: test.info().outputPath('vm-snapshots.png') });
        // The same name again: the server's refusal shows inline.
        await view.takeSnapshot('s1', 'Live');
        await expect(view.panel.getByRole('alert')).toContainText('Could not take snapshot s1');
        await expect(view.panel.getByRole('alert')).toContainText('CONFLICT');
        await view.panel.getByRole('button', { name: 'Dismiss' }).click();

        await view.show('Terminal');
        await view.typeLine('echo hi > /tmp/x && echo WROTE');
        await view.expectTerminalText(/^WROTE$/m);

        await view.show('Snapshots');
        await view.snapshotAction('Restore', 's1');
        await expect(view.panel.getByText('Restored s1.')).toBeVisible({ timeout: 30_000 });

        await view.show('Terminal');
        await expect(view.linkStatus).toHaveText('Connected', { timeout: 15_000 });
        await view.typeLine('test -e /tmp/x && echo X-THERE || echo X-GONE');
        await view.expectTerminalText(/^X-(GONE|THERE)$/m);
        expect(await view.terminalText()).toMatch(/^X-GONE$/m);
        expect(await view.terminalText()).not.toMatch(/^X-THERE$/m);

        await view.show('Snapshots');
        await view.snapshotAction('Delete', 's1');
        await expect(view.panel.getByText('No snapshots yet.')).toBeVisible({ timeout: 30_000 });
      });

      await test.step('settings show the spec, locked while it runs; metrics are charts', async () => {
        await view.show('Settings');
        const memory = view.panel.getByLabel('Memory (MiB)', { exact: true });
        await expect(memory).toHaveValue('128');
        await expect(memory).toBeDisabled();
        await expect(view.panel.getByLabel('Network', { exact: true })).toHaveValue('none');
        await page.screenshot({ path: test.info().outputPath('vm-settings.png') });
        await view.show('Metrics');
        await expect(view.panel.getByRole('figure')).toHaveCount(4);
      });

      await test.step('stop from the header: the display says the VM is not running', async () => {
        await view.show('Display');
        await view.action('Stop').click();
        await expect(view.state).toHaveText('stopped', { timeout: 30_000 });
        await expect(view.panel).toContainText(`${name} is not running (stopped)`);
        await expect(view.displayCanvas).toHaveCount(0);
        await page.screenshot({ path: test.info().outputPath('vm-stopped.png') });
      });

      expect(await watch.problems()).toEqual([]);
    } finally {
      await callInPage(page, 'killEnvironment', { id }).catch(() => undefined);
    }
  });
});

test.describe('a container’s page', () => {
  const suite = containerSuite();

  test('the terminal is a shell in the container; there is no display', async ({
    page,
    server,
  }) => {
    const watch = await watchPage(page);
    const shell = new AppShellPage(page);
    await shell.open(server.url);
    const name = `view-ct-${suite.run}`;
    const { items } = await callInPage(page, 'createEnvironment', {
      spec: suite.spec({ name }),
      start: true,
    });
    const id = items[0]!.id;
    suite.created.push(id);

    const view = new EnvironmentView(page, name);
    await view.open(server.origin, id);
    await expect(view.state).toHaveText('running', { timeout: 30_000 });
    // A container opens on its terminal.
    await expect(view.tab('Terminal')).toHaveAttribute('aria-selected', 'true');
    await expect(view.linkStatus).toHaveText('Connected', { timeout: 15_000 });
    await view.typeLine('echo $((6*7))');
    await view.expectTerminalText(/^42$/m);

    await view.show('Display');
    await expect(view.panel).toContainText('No display.');
    await expect(view.panel).toContainText('containers have no graphical display');

    await view.show('Snapshots');
    await expect(view.panel.getByLabel('Kind').locator('option')).toHaveText([
      'Commit',
      'Live (CRIU)',
    ]);

    await view.action('Stop').click();
    await expect(view.state).toHaveText('stopped', { timeout: 30_000 });
    expect(await watch.problems()).toEqual([]);
  });
});
