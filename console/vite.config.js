// Builds the console into gateway/static/console (served at /console by gateway/console.py).
// Relative base: the page works behind any path prefix; the hashed file names let the gateway cache them forever.
import { defineConfig } from 'vite'

const gateway = process.env.GATEWAY_URL || 'http://127.0.0.1:8000'

export default defineConfig({
  base: './',
  build: {
    outDir: '../gateway/static/console',
    emptyOutDir: true,
    assetsDir: 'assets',
    target: 'es2022',
    sourcemap: false,
    modulePreload: { polyfill: false },
    reportCompressedSize: true,
    // ECharts' chunk (line and bar charts, grid, tooltip, plain legend: ~540 kB, ~185 kB gzip) loads on demand.
    chunkSizeWarningLimit: 600,
  },
  server: {
    // `npm run dev`: the page from Vite, the graph from a running gateway.
    proxy: {
      '/graphql': { target: gateway, ws: true },
      '/config.json': { target: gateway, rewrite: () => '/console/config.json' },
    },
  },
})
