import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { backendAvailable } from '../helpers/backends';
import { FixtureServer, fileRoute } from '../unit/provisioning/fixture-server';
import { needsChromium } from './fixtures/chromium';
import { imageWorkDir, qemuImgCreate } from './fixtures/disk-images';
import { expect, test } from './fixtures/serve';
import { AppShellPage } from './pages/app-shell-page';
import { CatalogSection } from './pages/catalog-section';
import { SettingsPage } from './pages/settings-page';
import { TaskTray } from './pages/task-tray';

needsChromium();
test.skip(!backendAvailable('qemu-img'), 'qemu-img is not available');

let work: ReturnType<typeof imageWorkDir>;
let http: FixtureServer;
test.beforeEach(async () => {
  work = imageWorkDir();
  http = await new FixtureServer().start();
});
test.afterEach(async () => {
  await http.stop();
  work.dispose();
});

test('the OS catalog lists a local entry, downloads it with progress and shows it cached', async ({
  page,
  server,
}) => {
  // A real qcow2 of ~4 MiB, served slowly from 127.0.0.1 so the progress can be seen.
  const image = qemuImgCreate(work.dir, 'testos.qcow2', '4M', [
    '-f',
    'qcow2',
    '-o',
    'preallocation=full',
  ]);
  const sha = createHash('sha256').update(image).digest('hex');
  http.routes.set(
    '/testos.qcow2',
    fileRoute(() => image, { etag: () => '"e1"', chunk: 64 * 1024, pauseMs: 100 }),
  );
  fs.writeFileSync(
    path.join(server.dataDir, 'catalog.local.json'),
    JSON.stringify({
      images: [
        {
          os: 'testos',
          version: '1',
          name: 'Test OS 1',
          url: http.url('/testos.qcow2'),
          sha256: sha,
          format: 'qcow2',
        },
        {
          os: 'testos',
          version: 'offline',
          name: 'Test OS offline',
          url: 'http://127.0.0.1:9/testos-offline.qcow2',
          format: 'qcow2',
        },
      ],
    }),
  );

  const shell = new AppShellPage(page);
  const catalog = new CatalogSection(page);
  const tray = new TaskTray(page);
  await shell.open(server.url);
  await shell.goTo('Images');
  await expect(catalog.row('Test OS 1')).toBeVisible();
  await expect(catalog.cell('Test OS 1', 1)).toHaveText('Not downloaded');
  await expect(catalog.cell('Test OS 1', 3)).toHaveText('testos.qcow2');
  // The distros' installer ISOs are rows of their own, named by the pattern of their file.
  const iso = 'Debian 13 installer';
  await expect(catalog.cell(iso, 1)).toHaveText('Not downloaded');
  await expect(catalog.cell(iso, 3)).toHaveText('debian-13.*-amd64-netinst.iso');
  await expect(catalog.button('Download Debian 13 installer (netinst)')).toBeVisible();

  await catalog.button('Download Test OS 1').click();
  await expect(catalog.progress('Download Test OS 1')).toBeVisible();
  await tray.open();
  await expect(tray.task('Download Test OS 1')).toBeVisible();
  await tray.close();
  // Pause keeps what arrived; Resume asks the server for the rest only (a Range request).
  await catalog.button('Pause the download of Test OS 1').click();
  await expect(catalog.cell('Test OS 1', 1)).toHaveText(/^Partly downloaded \(\d+ %\)$/);
  await expect(catalog.cell('Test OS 1', 2)).toHaveText(/ of /);
  await catalog.button('Resume Test OS 1').click();
  await expect(catalog.cell('Test OS 1', 1)).toHaveText('Cached, checksum verified', {
    timeout: 30_000,
  });
  await expect(catalog.cell('Test OS 1', 2)).toHaveText(/MiB$/);
  const asked = http.requests('/testos.qcow2');
  expect(asked).toHaveLength(2);
  expect(asked[1]!.range).toMatch(/^bytes=[1-9]\d*-$/);
  await expect(catalog.button('Remove Test OS 1')).toBeEnabled();

  // Offline: the error shows in the row, naming the file to drop in.
  await catalog.button('Download Test OS offline').click();
  const alert = catalog.table.getByRole('alert');
  await expect(alert).toContainText('offline');
  await expect(alert).toContainText('testos-offline.qcow2');

  await catalog.button('Remove Test OS 1').click();
  await page
    .getByRole('dialog', { name: 'Remove Test OS 1?' })
    .getByRole('button', { name: 'Remove' })
    .click();
  await expect(catalog.cell('Test OS 1', 1)).toHaveText('Not downloaded');
});

test('the settings form takes download mirrors, a proxy and an SSH public key, and checks them', async ({
  page,
  server,
}) => {
  const shell = new AppShellPage(page);
  const settings = new SettingsPage(page);
  await shell.open(server.url);
  await shell.goTo('Settings');
  const key = page.getByLabel('SSH public key for new VMs');
  const proxy = page.getByLabel('Download proxy');
  const mirrors = page.getByLabel('Download mirrors');
  await key.fill('-----BEGIN OPENSSH PRIVATE KEY-----');
  await settings.saveButton.click();
  await expect(page.getByText(/Paste one OpenSSH public key line/)).toBeVisible();

  // A well-formed ed25519 key line: the blob names its type, then 32 key bytes.
  const blob = Buffer.concat([
    Buffer.from([0, 0, 0, 11]),
    Buffer.from('ssh-ed25519'),
    Buffer.from([0, 0, 0, 32]),
    Buffer.alloc(32, 7),
  ]).toString('base64');
  await key.fill(`ssh-ed25519 ${blob} me@host`);
  await proxy.fill('http://127.0.0.1:3128');
  await mirrors.fill('https://cloud.debian.org/images/ http://127.0.0.1:8000/debian/');
  await settings.saveButton.click();
  await expect(settings.saved).toBeVisible();
  await page.reload();
  await shell.goTo('Settings');
  await expect(key).toHaveValue(`ssh-ed25519 ${blob} me@host`);
  await expect(proxy).toHaveValue('http://127.0.0.1:3128');
  await expect(mirrors).toHaveValue(
    'https://cloud.debian.org/images/ http://127.0.0.1:8000/debian/',
  );
});
