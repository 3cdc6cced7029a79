import type { Page } from '@playwright/test';
import type { EnvironmentSpec } from '../../preload/contract';
import { needsChromium } from './fixtures/chromium';
import { callInPage } from './fixtures/page-api';
import { expect, test } from './fixtures/serve';
import { containerSuite } from './fixtures/stoppable-image';
import { testSpec } from '../helpers/docker-test-image';
import { AppShellPage } from './pages/app-shell-page';
import { EnvironmentsPage } from './pages/environments-page';

needsChromium();

const suite = containerSuite();
const { docker, run, created } = suite;

async function createInPage(page: Page, spec: EnvironmentSpec): Promise<string> {
  const { items } = await callInPage(page, 'createEnvironment', { spec });
  const id = items[0]!.id;
  created.push(id);
  return id;
}

test('a container environment is driven from its row and the keyboard, with pushed states', async ({
  page,
  server,
}) => {
  const shell = new AppShellPage(page);
  const envs = new EnvironmentsPage(page);
  await shell.open(server.url);
  await shell.goTo('Environments');
  await expect(envs.emptyState).toBeVisible();

  const name = `ui-${run}`;
  const id = await createInPage(page, suite.spec({ name }));
  // Pushed by environmentChanged: no reload, no polling.
  await expect(envs.state(name)).toHaveText('draft');
  await expect(envs.row(name)).toContainText('Container (Docker)');
  await expect(envs.row(name)).toContainText('busybox');
  await expect(envs.row(name)).toContainText('1 CPU, 64 MiB');
  await expect(envs.action(name, 'Stop')).toBeDisabled();

  await envs.action(name, 'Start').click();
  await expect(envs.state(name)).toHaveText('running', { timeout: 30_000 });
  await expect(envs.row(name)).toContainText(/\d+ s/); // uptime
  const [container] = await docker.listContainers({ filters: { label: [`genos.env=${id}`] } });
  expect(container?.State).toBe('running');

  // `s` on a running environment: the server's refusal shows on the row, saying what to do.
  await envs.select(name);
  await page.keyboard.press('s');
  await expect(envs.rowError(name)).toContainText(`Could not start ${name}`);
  await expect(envs.rowError(name)).toContainText('Stop it first');
  await envs
    .rowError(name)
    .getByRole('button', { name: /^Dismiss/ })
    .click();
  await expect(envs.rowError(name)).toHaveCount(0);

  await page.keyboard.press('p');
  await expect(envs.state(name)).toHaveText('paused');
  await expect(envs.row(name)).toContainText(`paused by websocket`);
  expect((await docker.getContainer(container!.Id).inspect()).State.Paused).toBe(true);

  await envs.action(name, 'Resume').click();
  await expect(envs.state(name)).toHaveText('running');

  await envs.action(name, 'Restart').click();
  await expect(envs.row(name)).toContainText('started', { timeout: 30_000 });
  await expect(envs.state(name)).toHaveText('running');

  // Enter opens the environment; its page has the same actions and a way back.
  await envs.select(name);
  await page.keyboard.press('Enter');
  await expect(envs.detail(name)).toContainText('Container (Docker)');
  await expect(envs.detail(name)).toContainText(id);
  await envs
    .detail(name)
    .getByRole('link', { name: /All environments/ })
    .click();

  await envs.select(name);
  await page.keyboard.press('x');
  await expect(envs.state(name)).toHaveText('stopped', { timeout: 30_000 });

  // Delete asks first; Escape keeps it, the dialog's Delete removes it.
  await envs.action(name, 'Delete').click();
  await expect(envs.deleteDialog(name)).toBeVisible();
  await page.keyboard.press('Escape');
  await expect(envs.deleteDialog(name)).toBeHidden();
  await expect(envs.row(name)).toHaveCount(1);
  await envs.select(name);
  await page.keyboard.press('Delete');
  await envs.deleteDialog(name).getByRole('button', { name: 'Delete', exact: true }).click();
  await expect(envs.row(name)).toHaveCount(0, { timeout: 30_000 });
  await expect(envs.emptyState).toBeVisible();
  expect(
    await docker.listContainers({ all: true, filters: { label: [`genos.env=${id}`] } }),
  ).toEqual([]);
  await expect(envs.activityItem('env.delete').first()).toBeVisible();
});

test('starting an environment whose image is missing shows the server’s reason on its row', async ({
  page,
  server,
}) => {
  const shell = new AppShellPage(page);
  const envs = new EnvironmentsPage(page);
  await shell.open(server.url);
  await shell.goTo('Environments');

  const name = `missing-${run}`;
  const missing = `genos-test/not-here-${run}:none`;
  await createInPage(page, testSpec(missing, { name }));
  await envs.action(name, 'Start').click();
  await expect(envs.rowError(name)).toContainText(`Could not start ${name}`, { timeout: 30_000 });
  await expect(envs.rowError(name)).toContainText(missing);
  await expect(envs.state(name)).toHaveText('failed');
  await expect(envs.row(name)).toContainText(missing); // the state's reason
});
