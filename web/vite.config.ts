// Builds the dashboard SPA (web/) into web/dist/, which the api role serves at /.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

const root = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  root,
  base: '/',
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    assetsDir: 'assets',
    sourcemap: false,
    chunkSizeWarningLimit: 800,
  },
  server: {
    // `npx vite --config web/vite.config.ts` during development: API calls go to a running api role.
    proxy: Object.fromEntries(
      ['/overview', '/targets', '/results', '/status', '/incidents', '/channels', '/kinds', '/events', '/auth', '/openapi.json', '/health']
        .map((p) => [p, { target: process.env.PULSEGUARD_API ?? 'http://127.0.0.1:8080', changeOrigin: false }]),
    ),
  },
});
