import fs from 'node:fs';
import path from 'node:path';
import type { Page } from '@playwright/test';
import { backendAvailable } from '../helpers/backends';
import { testSpec } from '../helpers/docker-test-image';
import { needsChromium } from './fixtures/chromium';
import { imageWorkDir, qemuImgCreate } from './fixtures/disk-images';
import { dropFiles } from './fixtures/drop-files';
import { cpuHasVirtualizationFlags } from './fixtures/host-facts';
import { callInPage } from './fixtures/page-api';
import { expect, test } from './fixtures/serve';
import { readmeShot } from './fixtures/readme-shot';
import { containerSuite } from './fixtures/stoppable-image';
import { AppShellPage } from './pages/app-shell-page';
import { ComposePage } from './pages/compose-page';
import { EnvironmentsPage } from './pages/environments-page';

needsChromium();

const SERVER_VM = 'ubuntu jammy server vm, 2 vcpus, 20G disk, forward 2222 to 22';

/** Imports a small qcow2 through the API and waits for it to be in the library. */
async function importDisk(page: Page, dir: string): Promise<string> {
  qemuImgCreate(dir, 'disk.qcow2', '64M', ['-f', 'qcow2']);
  await callInPage(page, 'importImage', { path: path.join(dir, 'disk.qcow2'), mode: 'copy' });
  await expect
    .poll(async () => (await callInPage(page, 'listImages', {})).items.map((i) => i.name))
    .toContain('disk');
  return 'disk';
}

test('a prompt becomes chips with their words; the dry run shows the exact qemu argv', async ({
  page,
  server,
}) => {
  test.skip(!backendAvailable('qemu') || !backendAvailable('qemu-img'), 'needs qemu');
  const shell = new AppShellPage(page);
  const compose = new ComposePage(page);
  const work = imageWorkDir();
  try {
    await shell.open(server.url);
    await importDisk(page, work.dir);

    await compose.type(SERVER_VM);
    const expected = [
      ['Backend', 'qemu', '“vm”'],
      ['OS', 'ubuntu 22.04', '“ubuntu jammy”'],
      ['Display', 'headless', '“server”'],
      ['CPUs', '2', '“2 vcpus”'],
      ['Disk', '20 GiB', '“20 G disk”'],
      ['Ports', '2222 → 22', '“forward 2222 to 22”'],
      ['Memory', '2048 MiB', 'default: 2048 MiB'],
    ] as const;
    for (const [label, value, words] of expected) {
      await expect(compose.chipButton(label)).toContainText(value);
      await expect(compose.chip(label)).toContainText(words);
    }
    await expect(compose.chipButton('CPUs')).toHaveAccessibleName('CPUs 2');

    // The catalog's cloud image: planned without downloading, and the plan says it will be.
    await expect(compose.qemuArgs).toBeVisible();
    await expect(compose.plan).toContainText('not cached yet');
    await expect(compose.plan).toContainText('First boot: cloud-init reads the seed');

    await readmeShot(page, 'compose');

    // Pick the library disk on the Image chip: the plan is made, with the exact argv.
    await compose.editChip('Image', 'Image source', 'library');
    await expect(compose.chipButton('Image')).toContainText('library: disk');
    await expect(compose.chip('Image')).toContainText('edited');
    await expect(compose.qemuArgs).toBeVisible();
    const accel = cpuHasVirtualizationFlags() ? /^(kvm|tcg)/ : /^tcg/;
    expect(await compose.argAfter('-accel')).toMatch(accel);
    expect((await compose.argv()).some((a) => a.includes('hostfwd=tcp:127.0.0.1:2222-:22'))).toBe(
      true,
    );
    expect(await compose.argAfter('-m')).toBe('2048M');
    expect(await compose.argAfter('-smp')).toBe('2');

    // Memory edited to 512 MiB: marked, and the plan follows.
    await compose.editChip('Memory', 'Memory (MiB)', '512');
    await expect(compose.chip('Memory')).toContainText('edited');
    await expect(compose.chip('Memory')).toContainText('was 2048 MiB');
    await expect.poll(() => compose.argAfter('-m')).toBe('512M');

    // Re-composing keeps the edit while the prompt's words for memory stay the same...
    await compose.type(`${SERVER_VM}, called devbox`);
    await expect(compose.chipButton('Name')).toContainText('devbox');
    await expect(compose.chipButton('Memory')).toContainText('512 MiB');
    // ...and gives way when they change; Reset puts the composer's reading back.
    await compose.type(`${SERVER_VM}, called devbox, 1 GB ram`);
    await expect(compose.chipButton('Memory')).toContainText('1024 MiB');
    await expect(compose.chip('Memory')).toContainText('“1 GB ram”');
    await expect(compose.chip('Image')).toContainText('edited');
    await compose.chip('Image').getByRole('button', { name: 'Reset Image' }).click();
    await expect(compose.chipButton('Image')).toContainText('from the OS catalog');
    await expect(compose.plan).toContainText('not cached yet');

    // "New environment from this image": the Images page hands the disk over, and the prompt
    // need only describe the rest.
    await shell.goTo('Images');
    await page.getByRole('button', { name: 'New environment from disk', exact: true }).click();
    await expect(shell.pageHeading).toHaveText('Compose');
    await compose.type('1 cpu, forward 8022 to 22');
    await expect(compose.chipButton('CPUs')).toHaveAccessibleName('CPUs 1');
    await expect(compose.chipButton('Backend')).toContainText('qemu');
    await expect(compose.chipButton('Image')).toContainText('library: disk');
    await expect(compose.chip('Image')).toContainText('from the image disk');
    await expect.poll(() => compose.argAfter('-smp')).toBe('1');
    expect((await compose.argv()).some((a) => a.includes('hostfwd=tcp:127.0.0.1:8022-:22'))).toBe(
      true,
    );
  } finally {
    work.dispose();
  }
});

test('errors show, an empty prompt clears, and Up/Down walk earlier prompts', async ({
  page,
  server,
}) => {
  const shell = new AppShellPage(page);
  const compose = new ComposePage(page);
  await shell.open(server.url);

  await compose.compose('macos ventura vm');
  await expect(compose.composeError).toContainText('macOS guests are not supported');
  await expect(compose.spec).toHaveCount(0);
  await expect(compose.launchGroup).toHaveCount(0);

  await compose.compose('alpine container');
  await expect(compose.chipButton('Backend')).toContainText('docker');
  await expect(compose.composeError).toHaveCount(0);
  await expect(page.getByText('Confidence')).toBeVisible();

  // Cleared while typing: nothing to show. Enter on it: the composer says why.
  await compose.type('');
  await expect(compose.spec).toHaveCount(0);
  await expect(compose.composeError).toHaveCount(0);
  await compose.prompt.press('Enter');
  await expect(compose.composeError).toContainText('The prompt is empty');

  await compose.prompt.press('ArrowUp');
  await expect(compose.prompt).toHaveValue('alpine container');
  await expect(compose.chipButton('Backend')).toContainText('docker');
  await compose.prompt.press('ArrowUp');
  await expect(compose.prompt).toHaveValue('macos ventura vm');
  await compose.prompt.press('ArrowDown');
  await expect(compose.prompt).toHaveValue('alpine container');
  await compose.prompt.press('ArrowDown');
  await expect(compose.prompt).toHaveValue('');

  // Kept across a reload (localStorage).
  await page.reload();
  await shell.expectConnected();
  await compose.prompt.press('ArrowUp');
  await expect(compose.prompt).toHaveValue('alpine container');
});

test('recipes: saved as a download that reads back, opened from a file or a drop, errors shown', async ({
  page,
  server,
}) => {
  const shell = new AppShellPage(page);
  const compose = new ComposePage(page);
  await shell.open(server.url);

  const prompt = 'alpine container called web, 1 cpu';
  await compose.type(prompt);
  await expect(compose.chipButton('Name')).toContainText('web');
  await compose.editChip('Memory', 'Memory (MiB)', '256');

  // A file name the server would not take is caught in the dialog.
  await compose.saveRecipeButton.click();
  await compose.saveDialog.getByLabel('File name').fill('web.txt');
  await compose.saveDialog.getByRole('button', { name: 'Save', exact: true }).click();
  await expect(compose.saveDialog.getByRole('alert')).toContainText('.yaml');
  await compose.saveDialog.getByRole('button', { name: 'Cancel' }).click();

  const download = await compose.saveRecipe();
  expect(download.suggestedFilename()).toBe('web.yaml');
  const saved = fs.readFileSync(await download.path(), 'utf8');
  expect(saved).toContain('genosRecipe: 1');
  expect(saved).toContain(prompt);
  expect(saved).toMatch(/memoryMiB: 256/);
  // What was saved reads back through the server as the same spec.
  const read = await callInPage(page, 'readRecipe', { fileName: 'web.yaml', text: saved });
  expect(read.environments[0]).toMatchObject({ name: 'web', resources: { memoryMiB: 256 } });

  await compose.type('debian 12 vm');
  await expect(compose.chipButton('Name')).toContainText('debian-12');
  await compose.openRecipe('web.yaml', saved);
  await expect(compose.prompt).toHaveValue(prompt);
  await expect(compose.chipButton('Name')).toContainText('web');
  await expect(compose.chipButton('Memory')).toContainText('256 MiB');
  await expect(compose.chip('Memory')).toContainText('from web.yaml');

  // Dropped on the page: a recipe with two environments is listed and launched together,
  // and the shell's image import leaves it alone.
  const two = {
    genosRecipe: 1,
    prompt: 'a pair',
    environments: [
      testSpec('alpine:3.20', { name: 'first' }),
      testSpec('alpine:3.20', { name: 'second', count: 2 }),
    ],
  };
  await compose.dropOnPage('pair.json', JSON.stringify(two));
  await expect(compose.recipeEnvironments.getByRole('listitem')).toHaveCount(2);
  await expect(compose.recipeEnvironments.getByRole('listitem', { name: 'second' })).toContainText(
    '×2',
  );
  await expect(compose.launchButton).toHaveText('Launch 3 environments');
  await expect(shell.pageHeading).toHaveText('Compose');
  await expect(compose.prompt).toHaveValue('a pair');

  // A broken recipe: the server's message, which says where.
  const broken = { genosRecipe: 1, environments: [{ ...two.environments[0], name: 'Bad Name' }] };
  await compose.openRecipe('broken.json', JSON.stringify(broken));
  await expect(compose.recipeError).toContainText('Could not open broken.json');
  await expect(compose.recipeError).toContainText('environments.0.name');
  await compose.recipeError.getByRole('button', { name: 'Dismiss the recipe error' }).click();
  await expect(compose.recipeError).toHaveCount(0);

  // Dropped anywhere else (here on the Images page), the shell hands a recipe to Compose
  // instead of refusing it as a disk image.
  await shell.goTo('Images');
  await dropFiles(page, [{ name: 'web.yaml', bytes: Buffer.from(saved) }]);
  await expect(shell.pageHeading).toHaveText('Compose');
  await expect(compose.prompt).toHaveValue(prompt);
  await expect(compose.chipButton('Memory')).toContainText('256 MiB');
});

test.describe('with Docker', () => {
  const suite = containerSuite();
  const { docker, run } = suite;

  test('a recipe for the local test image launches, and a launch failure shows why', async ({
    page,
    server,
  }) => {
    const shell = new AppShellPage(page);
    const compose = new ComposePage(page);
    const envs = new EnvironmentsPage(page);
    await shell.open(server.url);

    // An image that is not there: the start fails, and the server's reason is by the button.
    const missing = `genos-test/not-here-${run}:none`;
    const bad = { genosRecipe: 1, environments: [testSpec(missing, { name: `gone-${run}` })] };
    await compose.openRecipe('gone.json', JSON.stringify(bad));
    await compose.launchButton.click();
    await expect(compose.launchError).toContainText(`Could not start gone-${run}`);
    await expect(compose.launchError).toContainText(missing);
    await compose.launchError.getByRole('button', { name: 'Dismiss the launch error' }).click();

    const name = `compose-${run}`;
    const { image } = suite;
    const recipe = { genosRecipe: 1, environments: [suite.spec({ name })] };
    await compose.openRecipe('busybox.json', JSON.stringify(recipe));
    await expect(compose.chipButton('Image')).toContainText(image);
    await expect(compose.dockerOptions).toContainText(`"Image": "${image}"`);
    await compose.launchButton.click();

    await expect(shell.pageHeading).toHaveText('Environments', { timeout: 30_000 });
    await expect(envs.state(name)).toHaveText('running');
    const { items } = await callInPage(page, 'listEnvironments', {});
    const id = items.find((env) => env.name === name)!.id;
    suite.created.push(id);
    const [container] = await docker.listContainers({ filters: { label: [`genos.env=${id}`] } });
    expect(container?.State).toBe('running');

    await callInPage(page, 'stopEnvironment', { id });
    await callInPage(page, 'deleteEnvironment', { id });
    await expect(envs.row(name)).toHaveCount(0);
  });
});
