import fs from 'node:fs';
import path from 'node:path';
import type { Page } from '@playwright/test';
import { backendAvailable } from '../helpers/backends';
import { needsChromium } from './fixtures/chromium';
import { imageWorkDir } from './fixtures/disk-images';
import { callInPage } from './fixtures/page-api';
import { expect, test } from './fixtures/serve';
import { AppShellPage } from './pages/app-shell-page';
import { ComposePage } from './pages/compose-page';

needsChromium();

/**
 * A file the library takes for an ISO (ISO 9660's "CD001" primary volume descriptor at 32 KiB):
 * only planned here, never booted, so nothing more is needed.
 */
async function importIso(page: Page, dir: string, name: string): Promise<string> {
  const bytes = Buffer.alloc(64 * 1024);
  bytes.write('\u0001CD001\u0001', 0x8000, 'latin1');
  const file = path.join(dir, `${name}.iso`);
  fs.writeFileSync(file, bytes);
  await callInPage(page, 'importImage', { path: file, mode: 'copy', format: 'iso', name });
  let id = '';
  await expect
    .poll(async () => {
      const { items } = await callInPage(page, 'listImages', {});
      id = items.find((image) => image.name === name)?.id ?? '';
      return id;
    })
    .not.toBe('');
  return id;
}

test('firmware chips: UEFI, a TPM and a drivers ISO reach the dry run; Secure Boot needs UEFI', async ({
  page,
  server,
}) => {
  const needs = ['qemu', 'qemu-img', 'ovmf', 'swtpm'] as const;
  test.skip(!needs.every((name) => backendAvailable(name)), `needs ${needs.join(', ')}`);
  const shell = new AppShellPage(page);
  const compose = new ComposePage(page);
  const work = imageWorkDir();
  try {
    await shell.open(server.url);
    const installer = await importIso(page, work.dir, 'installer');
    await importIso(page, work.dir, 'virtio-win');

    // The prompt's words set Secure Boot, and with it UEFI.
    await compose.type('debian 12 vm with secure boot, 1 cpu, 512 MB ram');
    await expect(compose.chipButton('Firmware')).toContainText('UEFI');
    await expect(compose.chip('Firmware')).toContainText('“secure boot”');
    await expect(compose.chipButton('Secure Boot')).toContainText('on');
    await expect(compose.chip('TPM')).toContainText('default: no TPM');
    await expect(compose.chip('Drivers ISO')).toHaveCount(0);
    await expect
      .poll(() => compose.argv())
      .toContainEqual(expect.stringMatching(/OVMF_CODE_4M\.ms\.fd/));

    // The installer ISO: now there is a drivers CD to pick.
    await compose.editChip('Image', 'Image source', 'library');
    await compose.editChip('Image', 'Library image', installer);
    await expect(compose.chipButton('Image')).toContainText('library: installer');
    await expect(compose.chipButton('Drivers ISO')).toContainText('none');
    await compose.editChip('Drivers ISO', 'Drivers ISO', 'virtio-win');
    await expect(compose.chipButton('Drivers ISO')).toContainText('virtio-win');

    // UEFI without Secure Boot, and a TPM: the plain OVMF pair, swtpm's socket and the TPM device.
    await compose.editChip('Secure Boot', 'Secure Boot', 'off');
    await compose.editChip('TPM', 'TPM', 'on');
    await expect(compose.chip('TPM')).toContainText('edited');
    await expect(compose.chipButton('TPM')).toContainText('TPM 2.0');
    // The TPM was the last edit: once the plan has its device, it has the rest too.
    await expect.poll(() => compose.argv()).toContain('tpm-crb,tpmdev=tpm0');
    const argv = await compose.argv();
    expect(argv).toContainEqual(expect.stringMatching(/node-name=ovmf-code,.*OVMF_CODE_4M\.fd/));
    expect(argv).toContainEqual(expect.stringMatching(/node-name=ovmf-vars,.*OVMF_VARS\.qcow2/));
    expect(argv).toContainEqual(expect.stringMatching(/^socket,id=chrtpm,path=.*swtpm\.sock$/));
    expect(argv).toContainEqual(expect.stringMatching(/node-name=cd1,.*\.iso/));
    expect(argv).toContain('ide-cd,bus=ide.3,drive=cd1,id=cd1-dev');

    // BIOS with Secure Boot on: the server refuses it, and the Secure Boot chip says so.
    await compose.editChip('Firmware', 'Firmware', 'bios');
    await compose.editChip('Secure Boot', 'Secure Boot', 'on');
    await expect(compose.chip('Secure Boot').getByRole('alert')).toContainText(
      'Secure Boot needs UEFI firmware',
    );
    await expect(compose.planError).toContainText('Secure Boot needs UEFI firmware');
    // UEFI again: the refusal is gone and the Secure Boot firmware is planned.
    await compose.editChip('Firmware', 'Firmware', 'uefi');
    await expect(compose.chip('Secure Boot').getByRole('alert')).toHaveCount(0);
    await expect
      .poll(() => compose.argv())
      .toContainEqual(expect.stringMatching(/OVMF_CODE_4M\.ms\.fd/));

    // A container has none of these chips.
    await compose.type('alpine container');
    await expect(compose.chipButton('Backend')).toContainText('docker');
    for (const label of ['Firmware', 'Secure Boot', 'TPM', 'Drivers ISO'])
      await expect(compose.chip(label)).toHaveCount(0);
  } finally {
    work.dispose();
  }
});
