/** Debian's Chromium, headless, with no traffic of its own: the e2e suite and scripts/bench use it. */
export const CHROMIUM_EXECUTABLE = process.env.GENOS_CHROMIUM ?? '/usr/bin/chromium';

export const CHROMIUM_ARGS = [
  '--headless=new',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
