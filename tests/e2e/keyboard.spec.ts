import { needsChromium } from './fixtures/chromium';
import { expect, test } from './fixtures/serve';
import { AppShellPage } from './pages/app-shell-page';
import { HelpOverlay } from './pages/help-overlay';

needsChromium();

test('? opens the shortcut help, Escape closes it, and g then a letter switches page', async ({
  page,
  server,
}) => {
  const shell = new AppShellPage(page);
  const help = new HelpOverlay(page);
  await shell.open(server.url);

  await page.keyboard.press('?');
  await expect(help.dialog).toBeVisible();
  for (const action of ['Go to Images', 'Go to Environments', 'Show this help', 'Start it'])
    await expect(help.shortcut(action)).toBeVisible();
  await expect(help.shortcut('Go to Images')).toContainText('g then i');
  // While the help is open it has the keyboard: g then i does nothing underneath.
  await page.keyboard.press('g');
  await page.keyboard.press('i');
  await expect(shell.pageHeading).toHaveText('Compose');
  await page.keyboard.press('Escape');
  await expect(help.dialog).toBeHidden();

  await page.keyboard.press('g');
  await page.keyboard.press('i');
  await expect(shell.pageHeading).toHaveText('Images');
  await expect(shell.navLink('Images')).toHaveAttribute('aria-current', 'page');
  await page.keyboard.press('g');
  await page.keyboard.press('e');
  await expect(shell.pageHeading).toHaveText('Environments');

  // The header's button opens the same help; the keys stay out of text fields.
  await page.getByRole('button', { name: 'Keyboard shortcuts' }).click();
  await expect(help.dialog).toBeVisible();
  await page.keyboard.press('Escape');
  await shell.goTo('Settings');
  await page.getByLabel('LLM endpoint').fill('?g');
  await expect(help.dialog).toBeHidden();
  await expect(shell.pageHeading).toHaveText('Settings');
});
