/// <reference types="vitest/config" />
import { defineConfig } from 'vite'
import vue from '@vitejs/plugin-vue'

// One build for every stage: settings come from /app/config.json at start (see src/lib/config.ts).
export default defineConfig({
  base: '/app/',
  plugins: [vue()],
  build: {
    outDir: 'dist',
    assetsDir: 'assets',
    // No inline scripts or styles anywhere: the served app has a strict Content-Security-Policy.
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    target: 'es2020',
  },
  server: {
    proxy: {
      '^/(wishes|claims|me|regions|campaigns|stats|donors|uploads|exports|health|openapi.json|dev)': 'http://127.0.0.1:3000',
    },
  },
  test: {
    include: ['tests/**/*.test.ts'],
    environment: 'node',
  },
})
