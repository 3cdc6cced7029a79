#!/usr/bin/env node
// Renders resources/icons/icon.svg into the PNGs that packaging uses: icon.png (512 px, for the
// macOS and Windows icons) and the Linux icon set NxN.png. The PNGs are committed, so building
// never needs this script; run it after changing the SVG. Needs `rsvg-convert`
// (Debian/Ubuntu: apt-get install librsvg2-bin; macOS: brew install librsvg).
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const dir = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'resources', 'icons');
const svg = path.join(dir, 'icon.svg');
const sizes = [16, 32, 48, 64, 128, 256, 512];
const outputs = [['icon.png', 512], ...sizes.map((n) => [`${n}x${n}.png`, n])];

for (const [name, size] of outputs) {
  const args = [
    '--width',
    String(size),
    '--height',
    String(size),
    '--output',
    path.join(dir, name),
    svg,
  ];
  const res = spawnSync('rsvg-convert', args, { stdio: 'inherit' });
  if (res.error?.code === 'ENOENT') {
    console.error('make-icons: rsvg-convert not found; install librsvg2-bin (Debian/Ubuntu).');
    process.exit(1);
  }
  if (res.status !== 0) {
    console.error(`make-icons: rsvg-convert failed for ${name}`);
    process.exit(1);
  }
  console.log(`make-icons: ${name} (${size}x${size})`);
}
