import { needsChromium } from './fixtures/chromium';
import { callInPage } from './fixtures/page-api';
import { expect, test } from './fixtures/serve';
import { containerSuite } from './fixtures/stoppable-image';
import { AppShellPage } from './pages/app-shell-page';
import { EnvironmentView } from './pages/environment-view';
import { EnvironmentsPage } from './pages/environments-page';
import { MetricsView, UsageSparklines, pathPoints } from './pages/metrics-view';

needsChromium();

// The servers this file starts sample every second (5 s by default), so charts grow quickly.
process.env.GENOS_METRICS_INTERVAL_MS = '1000';

const suite = containerSuite();
const { run, created } = suite;

test('a running container shows live CPU and memory sparklines and four growing charts', async ({
  page,
  server,
}, testInfo) => {
  // Inline SVG only: nothing the page's CSP (style-src 'self') would block.
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (event) =>
      (window as unknown as { __csp?: string[] }).__csp?.push(event.violatedDirective),
    );
    (window as unknown as { __csp: string[] }).__csp = [];
  });
  const shell = new AppShellPage(page);
  const envs = new EnvironmentsPage(page);
  await shell.open(server.url);
  await shell.goTo('Environments');

  const name = `metrics-${run}`;
  const { items } = await callInPage(page, 'createEnvironment', {
    spec: suite.spec({ name }),
  });
  const id = items[0]!.id;
  created.push(id);
  await callInPage(page, 'startEnvironment', { id });
  await expect(envs.state(name)).toHaveText('running', { timeout: 30_000 });

  // Pushed samples draw the row's lines: more than one point each, not just an empty chart.
  const usage = new UsageSparklines(page, envs.row(name), name);
  await expect.poll(() => pathPoints(usage.line('CPU')), { timeout: 30_000 }).toBeGreaterThan(1);
  await expect.poll(() => pathPoints(usage.line('Memory'))).toBeGreaterThan(1);
  await expect(usage.chart('Memory')).toHaveAccessibleName(/: [\d.]+ (B|KiB|MiB) now/);
  await page.screenshot({ path: testInfo.outputPath('sparklines.png') });

  // The Metrics tab: history from getMetrics on mount (so a reload keeps it), then pushes.
  const view = new EnvironmentView(page, name);
  await view.open(server.origin, id, 'metrics');
  const metrics = new MetricsView(view.panel);
  await expect(metrics.charts).toHaveCount(4);
  for (const title of ['CPU', 'Memory', 'Network', 'Disk'] as const)
    await expect(metrics.chart(title)).toBeVisible();
  await expect(metrics.lines('Network')).toHaveCount(2);
  await expect(metrics.lines('Disk')).toHaveCount(2);
  const cpuLine = metrics.lines('CPU').first();
  await expect.poll(() => pathPoints(cpuLine)).toBeGreaterThan(1);
  const before = {
    cpu: await pathPoints(cpuLine),
    memory: await pathPoints(metrics.lines('Memory').first()),
    network: await pathPoints(metrics.lines('Network').first()),
    disk: await pathPoints(metrics.lines('Disk').first()),
  };
  // Every chart grows as samples arrive, with no reload.
  await expect.poll(() => pathPoints(cpuLine), { timeout: 20_000 }).toBeGreaterThan(before.cpu);
  await expect
    .poll(() => pathPoints(metrics.lines('Memory').first()))
    .toBeGreaterThan(before.memory);
  await expect
    .poll(() => pathPoints(metrics.lines('Network').first()))
    .toBeGreaterThan(before.network);
  await expect.poll(() => pathPoints(metrics.lines('Disk').first())).toBeGreaterThan(before.disk);
  // Axis labels carry units.
  await expect(metrics.chart('Memory')).toContainText(/MiB/);
  await expect(metrics.chart('Network')).toContainText(/B\/s/);

  // Hovering reads out the time and value under the pointer.
  const box = await metrics.plot('CPU').boundingBox();
  expect(box).not.toBeNull();
  await page.mouse.move(box!.x + box!.width * 0.8, box!.y + box!.height / 2);
  await expect(metrics.readout('CPU')).toContainText(/\d{2}:\d{2}:\d{2}.*CPU [\d.]+%/);
  await view.panel.screenshot({ path: testInfo.outputPath('metrics-tab.png') });

  expect(await page.evaluate(() => (window as unknown as { __csp: string[] }).__csp)).toEqual([]);
  await callInPage(page, 'stopEnvironment', { id, timeoutSec: 2 });
});
