import { needsChromium } from './fixtures/chromium';
import { META_FRAME_ANCESTORS } from './fixtures/page-problems';
import { expect, test } from './fixtures/serve';
import { AppShellPage } from './pages/app-shell-page';

needsChromium();

test('every page is reachable from the sidebar, and the page names the main landmark', async ({
  page,
  server,
}) => {
  const shell = new AppShellPage(page);
  await shell.open(server.url);
  for (const name of ['Environments', 'Images', 'Host', 'Settings', 'Compose'] as const) {
    await shell.goTo(name);
    await expect(page.getByRole('main', { name })).toBeVisible();
    await expect(shell.nav.locator('[aria-current="page"]')).toHaveCount(1);
  }
  await shell.goTo('Host');
  await page.reload();
  await shell.expectConnected();
  await expect(shell.pageHeading).toHaveText('Host');
});

test('the page runs under its strict CSP with no violation and no console error', async ({
  page,
  server,
}) => {
  const errors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error' && !META_FRAME_ANCESTORS.test(message.text()))
      errors.push(message.text());
  });
  page.on('pageerror', (error) => errors.push(error.message));
  const shell = new AppShellPage(page);
  await shell.open(server.url);
  for (const name of ['Environments', 'Images', 'Host', 'Settings', 'Compose'] as const)
    await shell.goTo(name);
  await expect(page.getByRole('alert')).toHaveCount(0);
  expect(errors).toEqual([]);
});
