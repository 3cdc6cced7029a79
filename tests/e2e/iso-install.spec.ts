import { backendAvailable } from '../helpers/backends';
import { testGuestVmSpec } from '../helpers/spec-fixture';
import { ensureTestGuest } from '../helpers/test-guest';
import { needsChromium } from './fixtures/chromium';
import { callInPage } from './fixtures/page-api';
import { expect, test } from './fixtures/qemu-test';
import { AppShellPage } from './pages/app-shell-page';
import { EnvironmentView } from './pages/environment-view';

needsChromium();

test('an ISO install opens on its display and "Finish installation" detaches the installer', async ({
  page,
  server,
}, testInfo) => {
  test.skip(!backendAvailable('qemu') || !backendAvailable('qemu-img'), 'needs qemu');
  test.setTimeout(150_000);
  const guest = await ensureTestGuest();
  test.skip(!guest.iso, 'the test guest was built without genisoimage (no ISO)');
  const shell = new AppShellPage(page);
  await shell.open(server.url);

  await callInPage(page, 'importImage', {
    path: guest.iso!,
    mode: 'reference',
    format: 'iso',
    name: 'installer',
  });
  let isoId = '';
  await expect
    .poll(async () => {
      const { items } = await callInPage(page, 'listImages', {});
      isoId = items.find((i) => i.format === 'iso')?.id ?? '';
      return isoId;
    })
    .not.toBe('');
  const name = 'iso-install';
  const { items } = await callInPage(page, 'createEnvironment', {
    spec: testGuestVmSpec(name, { kind: 'library', imageId: isoId }, { display: 'gui' }),
  });
  const id = items[0]!.id;
  await callInPage(page, 'startEnvironment', { id });

  const view = new EnvironmentView(page, name);
  await view.open(server.origin, id);
  await expect(view.state).toHaveText('running', { timeout: 30_000 });
  // The installer is on screen: the view opens on the display while installing.
  await expect(view.tab('Display')).toHaveAttribute('aria-selected', 'true');
  await expect(view.displayCanvas).toBeVisible({ timeout: 30_000 });
  await expect(view.region.locator('.facts')).toContainText('BIOS');
  const install = view.region.getByRole('group', { name: 'Installation' });
  await expect(install).toContainText('installer');
  await page.screenshot({ path: testInfo.outputPath('iso-installing.png') });

  await install.getByRole('button', { name: 'Finish installation' }).click();
  // The spec change arrives as environmentChanged: the installing notice goes away.
  await expect(install).toHaveCount(0);
  const env = await callInPage(page, 'getEnvironment', { id });
  expect(env.spec).toMatchObject({ installed: true });
  await callInPage(page, 'killEnvironment', { id });
});
