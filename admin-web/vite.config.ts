import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig, type ProxyOptions } from 'vite';

const apiTarget = process.env.ADMIN_API_URL ?? 'http://127.0.0.1:3003';

// The same proxy serves `vite` and `vite preview`, so the built app behaves like it does behind nginx.
const apiProxy: Record<string, ProxyOptions> = {
  '/api': {
    target: apiTarget,
    // Keep the browser's Host so the admin API sees the console's origin (cookies, Origin checks).
    changeOrigin: false,
    xfwd: true,
    rewrite: (path) => path.replace(/^\/api(?=\/|$)/, '') || '/',
    configure: (proxy) => {
      proxy.on('proxyRes', (proxyRes) => {
        // The live queue relies on each server-sent event arriving as soon as it is written.
        if (String(proxyRes.headers['content-type'] ?? '').startsWith('text/event-stream')) {
          proxyRes.headers['cache-control'] = 'no-cache, no-transform';
          proxyRes.headers['x-accel-buffering'] = 'no';
          delete proxyRes.headers['content-length'];
        }
      });
    },
  },
};

export default defineConfig({
  plugins: [react()],
  resolve: {
    alias: { '@': fileURLToPath(new URL('./src', import.meta.url)) },
  },
  server: { host: '127.0.0.1', port: 8080, strictPort: true, proxy: apiProxy },
  preview: { host: '127.0.0.1', port: 8080, strictPort: true, proxy: apiProxy },
  build: {
    target: 'es2022',
    manifest: true,
    sourcemap: true,
    // The limit that counts is the gzipped initial JS budget (scripts/report-bundle-size.mjs); the
    // entry chunk holds React, the router and the queue on purpose, so Vite's raw-size hint is raised.
    chunkSizeWarningLimit: 700,
  },
});
