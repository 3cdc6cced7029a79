import { needsChromium } from './fixtures/chromium';
import { callInPage } from './fixtures/page-api';
import { expect, test } from './fixtures/serve';
import { containerSuite } from './fixtures/stoppable-image';
import { AppShellPage } from './pages/app-shell-page';
import { ComposePage } from './pages/compose-page';
import { EnvironmentsPage } from './pages/environments-page';

needsChromium();

/**
 * A stack prompt in the Compose view: its environments are listed with what each requires and
 * the words each came from, and Launch starts them through upStack, the used one first.
 */
test.describe('a stack from one prompt', () => {
  const suite = containerSuite();
  const { run } = suite;

  test('is listed with its requirements and launched in dependency order', async ({
    page,
    server,
  }) => {
    const shell = new AppShellPage(page);
    const compose = new ComposePage(page);
    const envs = new EnvironmentsPage(page);
    await shell.open(server.url);

    const { image } = suite;
    const db = `db-${run}`.toLowerCase();
    const app = `app-${run}`.toLowerCase();
    await compose.type(
      `a ${image} container called ${db}, no network, and a ${image} container called ${app}, no network, that uses it`,
    );
    const list = page.getByRole('list', { name: 'Stack environments' });
    await expect(list.getByRole('listitem')).toHaveCount(2);
    await expect(list.getByRole('listitem', { name: app })).toContainText(`requires ${db}`);
    await expect(list.getByRole('listitem', { name: app })).toContainText(
      `container called ${app}`,
    );
    await expect(list.getByRole('listitem', { name: db })).not.toContainText('requires');
    await expect(compose.warnings).toContainText('A stack of 2 environments');
    await expect(compose.chips).toHaveCount(0);
    await expect(compose.launchButton).toHaveText('Launch 2 environments');

    await compose.launchButton.click();
    // A failed start shows its reason by the button: name it if it comes instead of the page.
    await expect
      .poll(
        async () =>
          (await compose.launchError.count()) > 0 ||
          (await shell.pageHeading.innerText()) === 'Environments',
        { timeout: 60_000 },
      )
      .toBe(true);
    if (await compose.launchError.count()) throw new Error(await compose.launchError.innerText());
    await expect(shell.pageHeading).toHaveText('Environments', { timeout: 60_000 });
    await expect(envs.state(db)).toHaveText('running');
    await expect(envs.state(app)).toHaveText('running');

    const { items } = await callInPage(page, 'listEnvironments', {});
    const ids = Object.fromEntries(items.map((env) => [env.name, env.id]));
    suite.created.push(ids[db]!, ids[app]!);
    const { items: audit } = await callInPage(page, 'listAuditEvents', { limit: 500 });
    const stack = audit.find((e) => e.action === 'stack.create');
    expect(stack?.detail).toMatchObject({ order: [[db], [app]] });

    for (const name of [app, db]) {
      await callInPage(page, 'killEnvironment', { id: ids[name]! });
      await callInPage(page, 'deleteEnvironment', { id: ids[name]! });
    }
  });
});
