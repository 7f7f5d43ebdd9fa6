// Builds the renderer (React) into dist/renderer. Node code is compiled by tsc (see README).
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

export default defineConfig({
  root: 'renderer',
  base: './',
  plugins: [react()],
  build: { outDir: '../dist/renderer', emptyOutDir: true, sourcemap: false, target: 'es2022' },
  server: { proxy: { '/api': 'http://127.0.0.1:8585', '/v1': 'http://127.0.0.1:8585', '/healthz': 'http://127.0.0.1:8585', '/auth': 'http://127.0.0.1:8585' } },
});
