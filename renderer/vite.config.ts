import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// Vite's config loader replaces import.meta.dirname with this file's directory (no node:path
// needed here, which the renderer's lint rules forbid), so the build works from any cwd.
const rendererDir = import.meta.dirname;

export default defineConfig({
  root: rendererDir,
  // Relative asset URLs, so the Electron app can load the build from file://.
  base: './',
  plugins: [react()],
  build: {
    outDir: '../out/renderer',
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: true,
    // Keep everything in files: the CSP allows no inline scripts or styles, and data: URLs
    // for scripts would not run anyway.
    assetsInlineLimit: 0,
  },
});
