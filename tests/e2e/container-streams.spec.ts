import WebSocket from 'ws';
import { needsChromium } from './fixtures/chromium';
import { callInPage } from './fixtures/page-api';
import { containerSuite } from './fixtures/stoppable-image';
import { expect, test } from './fixtures/serve';
import { AppShellPage } from './pages/app-shell-page';
import { EnvironmentView } from './pages/environment-view';

needsChromium();

/**
 * A container whose main process is an interactive shell: the Terminal tab attaches to it
 * ("Main process"), and the Logs tab follows its output over the log stream as it is printed,
 * without polling, until the container stops.
 */
test.describe('a container’s main process and its log', () => {
  const suite = containerSuite({ interactiveShell: true });
  const { run } = suite;

  test('attaches to the main process; the log follows what it prints', async ({ page, server }) => {
    test.setTimeout(90_000);
    const shell = new AppShellPage(page);
    await shell.open(server.url);
    const name = `attach-${run}`;
    const { items } = await callInPage(page, 'createEnvironment', {
      spec: suite.spec({ name }),
      start: true,
    });
    const id = items[0]!.id;
    suite.created.push(id);
    const view = new EnvironmentView(page, name);
    await view.open(server.origin, id, 'terminal');
    await expect(view.state).toHaveText('running', { timeout: 30_000 });

    await view.panel.getByLabel('Terminal session').selectOption({ label: 'Main process' });
    await expect(view.terminal).toHaveAccessibleName(`Main process of ${name}`);
    await expect(view.linkStatus).toHaveText('Connected', { timeout: 15_000 });
    await view.typeLine('echo main-$((40+2))');
    await view.expectTerminalText(/^main-42$/m);

    await view.show('Logs');
    await expect(view.log).toContainText('main-42', { timeout: 15_000 });
    await expect(view.panel.getByRole('status')).toHaveText('Following new output as it comes.');
    // New output from the main process, typed from outside the page: it appears by itself.
    const ticket = await callInPage(page, 'openTerminal', { id, mode: 'attach' });
    const main = new WebSocket(
      `ws://127.0.0.1:${server.port}${ticket.url}?token=${encodeURIComponent(ticket.token)}`,
    );
    await new Promise((resolve, reject) => main.once('open', resolve).once('error', reject));
    main.send(Buffer.from('echo streamed-$((1+1))\n'));
    await expect(view.log).toContainText('streamed-2', { timeout: 10_000 });
    main.close();
    await page.screenshot({ path: test.info().outputPath('container-log-follow.png') });

    await callInPage(page, 'killEnvironment', { id });
    await expect(view.panel.getByRole('status')).toHaveText(/Stopped following|last 256 KiB/, {
      timeout: 15_000,
    });
    await expect(view.log).toContainText('streamed-2');
  });
});
