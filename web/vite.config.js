import { defineConfig } from 'vite';

// During development (`npm run dev`) the API runs elsewhere: the dev server forwards the
// API paths to it, so the client still calls the API at its own origin.
const api = process.env.LANDREUSE_API || 'http://127.0.0.1:8080';
const apiPaths = [
  '/collections', '/reallocations', '/parcels', '/enterprises', '/analysis',
  '/reports', '/targets', '/conformance', '/api', '/imports', '/schools', '/projects',
];
const proxy = Object.fromEntries(apiPaths.map((p) => [p, { target: api, changeOrigin: false }]));

export default defineConfig({
  base: '/',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    chunkSizeWarningLimit: 1500,
    sourcemap: false,
  },
  server: { host: '127.0.0.1', port: 5173, proxy },
  preview: { host: '127.0.0.1', port: 4173, proxy },
});
