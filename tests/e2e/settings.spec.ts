import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { needsChromium } from './fixtures/chromium';
import { expect, startServe, test } from './fixtures/serve';
import { AppShellPage } from './pages/app-shell-page';
import { EnvironmentsPage } from './pages/environments-page';
import { SettingsPage } from './pages/settings-page';

needsChromium();

test('the theme persists across a reload and reaches a second window live', async ({
  page,
  browser,
  server,
}) => {
  const shell = new AppShellPage(page);
  const settings = new SettingsPage(page);
  await shell.open(server.url);
  await shell.goTo('Settings');
  await expect(settings.theme('System')).toBeChecked();
  await expect(shell.appliedTheme()).toHaveAttribute('data-theme', 'light');

  // A second window in its own browser context: it shares nothing with the first but the server.
  const otherContext = await browser.newContext();
  try {
    const other = await otherContext.newPage();
    const otherShell = new AppShellPage(other);
    await otherShell.open(server.url);
    await expect(otherShell.appliedTheme()).toHaveAttribute('data-theme', 'light');

    await settings.chooseTheme('Dark');
    await expect(shell.appliedTheme()).toHaveAttribute('data-theme', 'dark');
    await expect(otherShell.appliedTheme()).toHaveAttribute('data-theme', 'dark');

    await page.reload();
    await shell.expectConnected();
    await expect(shell.appliedTheme()).toHaveAttribute('data-theme', 'dark');
    await expect(settings.theme('Dark')).toBeChecked();

    await settings.chooseTheme('Light');
    await expect(otherShell.appliedTheme()).toHaveAttribute('data-theme', 'light');
  } finally {
    await otherContext.close();
  }
});

test('the theme is stored in the data dir: a restarted server still has it', async ({
  page,
  browser,
}) => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'genos-e2e-restart-'));
  try {
    const first = await startServe({ dataDir });
    try {
      const shell = new AppShellPage(page);
      await shell.open(first.url);
      await shell.goTo('Settings');
      await new SettingsPage(page).chooseTheme('Dark');
      await expect(shell.appliedTheme()).toHaveAttribute('data-theme', 'dark');
    } finally {
      await first.stop();
    }
    const second = await startServe({ dataDir });
    try {
      // A new browser context: nothing of the first visit is left in the browser.
      const fresh = await browser.newContext();
      try {
        const shell = new AppShellPage(await fresh.newPage());
        await shell.open(second.url);
        await expect(shell.appliedTheme()).toHaveAttribute('data-theme', 'dark');
      } finally {
        await fresh.close();
      }
    } finally {
      await second.stop();
    }
  } finally {
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
});

test('the defaults form saves, checks its input, and shows the app’s details', async ({
  page,
  server,
}) => {
  const shell = new AppShellPage(page);
  const settings = new SettingsPage(page);
  await shell.open(server.url);
  await shell.goTo('Settings');

  await expect(settings.about('Data directory')).toHaveText(server.dataDir);
  await expect(settings.about('Mode')).toContainText('genos serve');

  await settings.memoryShare.fill('5');
  await settings.saveButton.click();
  await expect(page.getByText('Enter a share of host memory between 10 and 100 %.')).toBeVisible();
  await expect(settings.memoryShare).toHaveAttribute('aria-invalid', 'true');

  await settings.memoryShare.fill('60');
  await settings.cpuOvercommit.fill('3');
  await settings.networkMode.selectOption('isolated');
  await settings.saveButton.click();
  await expect(settings.saved).toBeVisible();

  await page.reload();
  await shell.expectConnected();
  await expect(settings.memoryShare).toHaveValue('60');
  await expect(settings.cpuOvercommit).toHaveValue('3');
  await expect(settings.networkMode).toHaveValue('isolated');
});

test('the Environments page is empty at first and its activity feed updates live', async ({
  page,
  browser,
  server,
}) => {
  const shell = new AppShellPage(page);
  const environments = new EnvironmentsPage(page);
  await shell.open(server.url);
  await shell.goTo('Environments');
  await expect(environments.emptyState).toBeVisible();
  await expect(environments.activityItem('settings.update')).toHaveCount(0);

  // Another window changes a setting; the audit push lands in this window's feed.
  const otherContext = await browser.newContext();
  try {
    const other = await otherContext.newPage();
    const otherShell = new AppShellPage(other);
    await otherShell.open(server.url);
    await otherShell.goTo('Settings');
    await new SettingsPage(other).chooseTheme('Dark');
    await expect(environments.activityItem('settings.update')).toHaveCount(1);
  } finally {
    await otherContext.close();
  }
});
