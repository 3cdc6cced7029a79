import { backendAvailable } from '../helpers/backends';
import { testSpec } from '../helpers/docker-test-image';
import { needsChromium } from './fixtures/chromium';
import { imageWorkDirPerTest, qemuImgCreate } from './fixtures/disk-images';
import { dragOver, dropFiles } from './fixtures/drop-files';
import { callInPage } from './fixtures/page-api';
import { expect, test } from './fixtures/serve';
import { AppShellPage } from './pages/app-shell-page';
import { ImagesPage } from './pages/images-page';
import { TaskTray } from './pages/task-tray';

needsChromium();
test.skip(!backendAvailable('qemu-img'), 'qemu-img is not available');

const work = imageWorkDirPerTest();

test('a qcow2 dropped anywhere is uploaded, imported, converted to raw and deleted', async ({
  page,
  server,
}) => {
  const shell = new AppShellPage(page);
  const images = new ImagesPage(page);
  const tray = new TaskTray(page);
  const disk = qemuImgCreate(work.dir, 'disk.qcow2', '64M', ['-f', 'qcow2']);
  await shell.open(server.url);
  await expect(shell.pageHeading).toHaveText('Compose');

  // While files hover, the overlay says where they go.
  await dragOver(page, 'disk.qcow2');
  await expect(page.getByRole('status', { name: 'Drop to import' })).toBeVisible();
  await dropFiles(page, [{ name: 'disk.qcow2', bytes: disk }]);
  await expect(page.getByRole('status', { name: 'Drop to import' })).toBeHidden();

  // Dropped on the Compose page: the Images page opens, with the import's progress.
  await expect(shell.pageHeading).toHaveText('Images');
  await expect(images.importOf('disk.qcow2')).toContainText('Imported');
  await expect(images.image('disk')).toBeVisible();
  await expect(images.cell('disk', 1)).toHaveText('qcow2');
  await expect(images.cell('disk', 2)).toHaveText('64.0 MiB');
  await expect(images.cell('disk', 4)).toHaveText('upload: disk.qcow2');
  await expect(images.cell('disk', 5)).toContainText(/[0-9a-f]{12}…/);
  await tray.open();
  await expect(tray.task('Import disk.qcow2')).toContainText('Done');
  await tray.close();

  await images.convert('disk', 'raw');
  await expect(images.image('disk-raw')).toBeVisible({ timeout: 30_000 });
  await expect(images.cell('disk-raw', 1)).toHaveText('raw');
  await expect(images.cell('disk-raw', 2)).toHaveText('64.0 MiB');
  await expect(images.cell('disk-raw', 4)).toHaveText('converted from disk');
  await tray.open();
  await expect(tray.task('Convert disk to raw')).toContainText('Done');
  await tray.close();

  await images.delete('disk-raw');
  await expect(images.image('disk-raw')).toHaveCount(0);

  // An image an environment uses: the server refuses to delete it, and the row says why.
  const { items } = await callInPage(page, 'listImages', {});
  const imageId = items.find((i) => i.name === 'disk')!.id;
  const spec = testSpec('unused', { name: 'uses-disk' });
  await callInPage(page, 'createEnvironment', {
    spec: { ...spec, backend: 'qemu', image: { kind: 'library', imageId } },
  });
  await expect(images.cell('disk', 6)).toHaveText('uses-disk');
  await images.delete('disk');
  await expect(images.imageError('disk')).toContainText('Could not delete disk');
  await expect(images.imageError('disk')).toContainText('used by uses-disk');
  await expect(images.image('disk')).toBeVisible();

  // "New environment from this image" hands the image to Compose.
  await page.getByRole('button', { name: 'New environment from disk', exact: true }).click();
  await expect(shell.pageHeading).toHaveText('Compose');
  await expect(page.getByRole('region', { name: 'Starting from an image' })).toContainText(
    'disk (qcow2, 64.0 MiB)',
  );
});

test('a hostile qcow2 fails with the reason, and a .txt is refused before any upload', async ({
  page,
  server,
}) => {
  const shell = new AppShellPage(page);
  const images = new ImagesPage(page);
  const tray = new TaskTray(page);
  const hostile = qemuImgCreate(work.dir, 'hostile.qcow2', '1M', [
    ...['-f', 'qcow2', '-F', 'raw', '-b', '/etc/passwd'],
  ]);
  const uploads: string[] = [];
  page.on('request', (request) => {
    if (new URL(request.url()).pathname === '/upload') uploads.push(request.method());
  });
  await shell.open(server.url);
  await shell.goTo('Images');
  await expect(images.emptyLibrary).toBeVisible();

  await dropFiles(page, [{ name: 'hostile.qcow2', bytes: hostile }]);
  const entry = images.importOf('hostile.qcow2');
  await expect(entry).toContainText('Failed');
  await expect(entry.getByRole('alert')).toContainText('/etc/passwd');
  await expect(images.emptyLibrary).toBeVisible();
  await tray.open();
  await expect(tray.task('Import hostile.qcow2')).toContainText('Failed');
  await expect(tray.task('Import hostile.qcow2')).toContainText('/etc/passwd');
  await tray.close();
  expect(uploads).toEqual(['PUT']);

  await dropFiles(page, [{ name: 'notes.txt', bytes: Buffer.from('not an image\n') }]);
  await expect(images.importOf('notes.txt')).toContainText('Refused');
  await expect(images.importOf('notes.txt').getByRole('alert')).toContainText(
    'notes.txt is not a disk image GenOS imports, so it was not uploaded.',
  );
  expect(uploads).toEqual(['PUT']);
  await expect(images.emptyLibrary).toBeVisible();
});
