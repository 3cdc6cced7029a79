import { needsChromium } from './fixtures/chromium';
import { callInPage } from './fixtures/page-api';
import { expect, test } from './fixtures/serve';
import { containerSuite } from './fixtures/stoppable-image';
import { AppShellPage } from './pages/app-shell-page';
import { EnvironmentView } from './pages/environment-view';

needsChromium();

const suite = containerSuite();
const { run, created } = suite;

test('the shell in a container has the size xterm fits to, and follows the window', async ({
  page,
  server,
}) => {
  await page.setViewportSize({ width: 1280, height: 900 });
  const shell = new AppShellPage(page);
  await shell.open(server.url);
  const name = `tty-${run}`;
  const { items } = await callInPage(page, 'createEnvironment', {
    spec: suite.spec({ name }),
    start: true,
  });
  const id = items[0]!.id;
  created.push(id);
  const view = new EnvironmentView(page, name);
  await view.open(server.origin, id, 'terminal');
  await expect(view.linkStatus).toHaveText('Connected', { timeout: 30_000 });

  const rowsShown = () => view.terminal.locator('.xterm-rows > *').count();
  let asked = 0;
  /** What `stty size` says in the shell, "rows cols", each time from a fresh marker. */
  const sttySize = async (): Promise<[number, number]> => {
    asked += 1;
    await view.typeLine(`echo SIZE${asked}:$(stty size)`);
    const pattern = new RegExp(`^SIZE${asked}:(\\d+) (\\d+)$`, 'm');
    await view.expectTerminalText(pattern);
    const [, rows, cols] = (await view.terminalText()).match(pattern)!;
    return [Number(rows), Number(cols)];
  };

  const [rows1, cols1] = await sttySize();
  expect(rows1).toBe(await rowsShown());
  expect(cols1).toBeGreaterThan(80);

  // A narrower, shorter window: xterm refits and the TTY follows.
  await page.setViewportSize({ width: 800, height: 600 });
  await expect.poll(rowsShown).toBeLessThan(rows1);
  const [rows2, cols2] = await sttySize();
  expect(rows2).toBe(await rowsShown());
  expect(cols2).toBeLessThan(cols1);

  await callInPage(page, 'stopEnvironment', { id, timeoutSec: 2 });
});
