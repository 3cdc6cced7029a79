import { needsChromium } from './fixtures/chromium';
import { callInPage } from './fixtures/page-api';
import { expect, test } from './fixtures/serve';
import { containerSuite } from './fixtures/stoppable-image';
import { AppShellPage } from './pages/app-shell-page';
import { EnvironmentSettingsView } from './pages/environment-settings-view';
import { EnvironmentView } from './pages/environment-view';

needsChromium();

const suite = containerSuite();
const { docker, run, created } = suite;

test('a stopped container’s memory and restart policy are edited and kept; a running one’s are locked', async ({
  page,
  server,
}, testInfo) => {
  test.setTimeout(150_000);
  const shell = new AppShellPage(page);
  await shell.open(server.url);
  const make = async (name: string) => {
    const { items } = await callInPage(page, 'createEnvironment', {
      spec: suite.spec({ name }),
    });
    created.push(items[0]!.id);
    await callInPage(page, 'startEnvironment', { id: items[0]!.id });
    return items[0]!.id;
  };
  const stoppedName = `edit-${run}`;
  const runningName = `locked-${run}`;
  const stoppedId = await make(stoppedName);
  const runningId = await make(runningName);
  await callInPage(page, 'stopEnvironment', { id: stoppedId, timeoutSec: 2 });

  // The stopped one: edit, see what saving means, save.
  const view = new EnvironmentView(page, stoppedName);
  await view.open(server.origin, stoppedId, 'settings');
  await expect(view.state).toHaveText('stopped');
  const settings = new EnvironmentSettingsView(view.panel, stoppedName);
  await expect(settings.memory).toBeEnabled();
  await expect(settings.memory).toHaveValue('64');
  await expect(settings.save).toBeDisabled();
  await settings.memory.fill('96');
  await settings.restartPolicy.selectOption({ label: 'Always' });
  await expect(settings.recreateWarning).toBeVisible();
  await view.panel.screenshot({ path: testInfo.outputPath('settings-edit.png') });
  await settings.save.click();
  await expect(settings.saved).toHaveText('Saved');
  await expect(settings.notes).toContainText('made again at the next start');

  // A reload reads it back from the store.
  await view.open(server.origin, stoppedId, 'settings');
  await expect(settings.memory).toHaveValue('96');
  await expect(settings.restartPolicy).toHaveValue('always');
  await expect(view.region).toContainText('1 CPU, 96 MiB');

  // A value the host cannot give is refused by the server, saying why.
  await settings.memory.fill(String(4 * 1024 * 1024));
  await settings.save.click();
  await expect(settings.error).toContainText(`${stoppedName} cannot have`);
  await settings.form.getByRole('button', { name: 'Discard changes' }).click();
  await expect(settings.memory).toHaveValue('96');

  // The next start makes the container with the new limit.
  await view.action('Start').click();
  await expect(view.state).toHaveText('running', { timeout: 30_000 });
  const [container] = await docker.listContainers({
    filters: { label: [`genos.env=${stoppedId}`] },
  });
  expect((await docker.getContainer(container!.Id).inspect()).HostConfig.Memory).toBe(
    96 * 1024 * 1024,
  );

  // The running one: every field disabled, with the reason.
  const running = new EnvironmentView(page, runningName);
  await running.open(server.origin, runningId, 'settings');
  const locked = new EnvironmentSettingsView(running.panel, runningName);
  await expect(locked.form).toContainText(`${runningName} is running: stop it to change these`);
  for (const field of [locked.cpus, locked.memory, locked.network, locked.restartPolicy])
    await expect(field).toBeDisabled();
  await expect(locked.addPort).toBeDisabled();
  await expect(locked.save).toBeDisabled();
  await running.panel.screenshot({ path: testInfo.outputPath('settings-locked.png') });

  for (const id of [stoppedId, runningId])
    await callInPage(page, 'stopEnvironment', { id, timeoutSec: 2 });
});
