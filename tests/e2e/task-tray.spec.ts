import type { Route } from '@playwright/test';
import { backendAvailable } from '../helpers/backends';
import { needsChromium } from './fixtures/chromium';
import { imageWorkDirPerTest, qemuImgCreate } from './fixtures/disk-images';
import { dropFiles } from './fixtures/drop-files';
import { expect, test } from './fixtures/serve';
import { AppShellPage } from './pages/app-shell-page';
import { ImagesPage } from './pages/images-page';
import { TaskTray } from './pages/task-tray';

needsChromium();
test.skip(!backendAvailable('qemu-img'), 'qemu-img is not available');

const work = imageWorkDirPerTest();

test('an upload can be cancelled from the tray while it is under way', async ({ page, server }) => {
  const shell = new AppShellPage(page);
  const images = new ImagesPage(page);
  const tray = new TaskTray(page);
  const disk = qemuImgCreate(work.dir, 'held.qcow2', '16M', ['-f', 'qcow2']);
  // The upload never gets an answer: it stays "under way" for as long as the test needs.
  const held: Route[] = [];
  await page.route('**/upload', (route) => {
    held.push(route);
  });
  await shell.open(server.url);
  await shell.goTo('Images');

  await dropFiles(page, [{ name: 'held.qcow2', bytes: disk }]);
  await expect(images.importOf('held.qcow2')).toContainText('Uploading');
  await expect(tray.button).toHaveAccessibleName('Tasks, 1 running');
  await tray.open();
  await expect(tray.task('Upload held.qcow2')).toBeVisible();
  await tray.cancel('Upload held.qcow2').click();
  await expect(tray.task('Upload held.qcow2')).toContainText('Cancelled');
  await expect(images.importOf('held.qcow2')).toContainText('Cancelled');
  await expect(tray.button).toHaveAccessibleName('Tasks');
  // Nothing reached the server, so there is no import task and no image.
  await expect(tray.task('Import held.qcow2')).toHaveCount(0);
  await expect(images.emptyLibrary).toBeVisible();
  expect(held).toHaveLength(1);
  await page.unrouteAll({ behavior: 'ignoreErrors' });
});

test('a running conversion is listed in the tray with its progress and can be cancelled', async ({
  page,
  server,
}) => {
  const shell = new AppShellPage(page);
  const images = new ImagesPage(page);
  const tray = new TaskTray(page);
  // 200 KB on disk, 64 GiB virtual: the raw copy is sparse, but checksumming it reads 64 GiB,
  // which keeps the conversion running far longer than the test needs to cancel it.
  const big = qemuImgCreate(work.dir, 'big.qcow2', '64G', ['-f', 'qcow2']);
  await shell.open(server.url);
  await shell.goTo('Images');
  await dropFiles(page, [{ name: 'big.qcow2', bytes: big }]);
  await expect(images.cell('big', 2)).toHaveText('64.0 GiB');

  await images.convert('big', 'raw');
  await expect(tray.button).toHaveAccessibleName('Tasks, 1 running');
  // The row shows the conversion too, where it was asked for.
  await expect(page.getByRole('group', { name: 'Convert big to raw' })).toBeVisible();
  await tray.open();
  const task = tray.task('Convert big to raw');
  await expect(task.getByRole('progressbar')).toBeVisible();
  await tray.cancel('Convert big to raw').click();
  await expect(task).toContainText('Cancelled');
  await expect(tray.button).toHaveAccessibleName('Tasks');
  await expect(page.getByRole('group', { name: 'Convert big to raw' })).toHaveCount(0);
  await expect(images.image('big-raw')).toHaveCount(0);
  await expect(images.library.getByRole('row')).toHaveCount(2); // the header and big
});
