import { backendAvailable } from '../helpers/backends';
import {
  DEBIAN_IMAGE_SCRIPT,
  debianVmSpec,
  ensureDebianImage,
  writeDebianCatalog,
} from '../helpers/debian-image';
import fs from 'node:fs';
import { needsChromium } from './fixtures/chromium';
import { callInPage } from './fixtures/page-api';
import { expect, test } from './fixtures/qemu-test';
import { AppShellPage } from './pages/app-shell-page';
import { EnvironmentView } from './pages/environment-view';

needsChromium();

/**
 * The Terminal tab's SSH choice with a real Debian 12 guest (scripts/build-debian-image.sh):
 * disabled with its reason while cloud-init runs, then an SSH session in xterm.js that runs
 * what is typed, as the generated user.
 */
test.describe('the SSH terminal of a catalog VM', () => {
  test.skip(
    !backendAvailable('qemu') || !backendAvailable('sshd') || !fs.existsSync(DEBIAN_IMAGE_SCRIPT),
    'needs qemu, OpenSSH and the Debian image script',
  );
  let image: { file: string; sha256: string };
  test.beforeAll(async () => {
    test.setTimeout(45 * 60_000); // a first build of the image debootstraps Debian
    image = await ensureDebianImage();
  });

  test('opens once the guest is provisioned and runs commands over SSH', async ({
    page,
    server,
  }) => {
    test.setTimeout(30 * 60_000); // a TCG boot is slow; under KVM it takes about a minute
    writeDebianCatalog(server.dataDir, image);
    const shell = new AppShellPage(page);
    await shell.open(server.url);
    const { task } = await callInPage(page, 'addCatalogBase', {
      osId: 'debian',
      version: '12',
      path: image.file,
    });
    await expect
      .poll(
        async () =>
          (await callInPage(page, 'listTasks', {})).items.find((t) => t.id === task.id)?.state,
        { timeout: 120_000 },
      )
      .toBe('done');

    const name = 'deb-ssh-ui';
    const { items } = await callInPage(page, 'createEnvironment', {
      spec: debianVmSpec(name, { network: { mode: 'isolated', ports: [] } }),
      start: true,
    });
    const view = new EnvironmentView(page, name);
    await view.open(server.origin, items[0]!.id, 'terminal');
    const sshChoice = view.panel.getByRole('button', { name: 'Open SSH terminal' });
    const serial = view.panel.getByRole('button', { name: 'Serial console' });
    await expect(sshChoice).toBeVisible({ timeout: 60_000 });
    await expect(serial).toHaveAttribute('aria-pressed', 'true');
    if (await sshChoice.isDisabled()) {
      // The reason is on screen and describes the disabled choice.
      await expect(sshChoice).toHaveAccessibleDescription(/^SSH: /);
    }
    await expect(sshChoice).toBeEnabled({ timeout: 25 * 60_000 });
    await sshChoice.click();
    await expect(sshChoice).toHaveAttribute('aria-pressed', 'true');
    await expect(view.terminal).toHaveAccessibleName(`SSH terminal of ${name}`);
    await expect(view.linkStatus).toHaveText('Connected', { timeout: 30_000 });
    // The guest's banner and prompt arrive without any input from us.
    await view.expectTerminalText(/genos@deb-ssh-ui/, 60_000);
    await view.typeLine('echo ssh-$((6*7)) $(id -un)');
    await view.expectTerminalText(/^ssh-42 genos$/m);
    await page.screenshot({ path: test.info().outputPath('ssh-terminal.png') });
  });
});
