/// <reference types="vitest/config" />
import { defineConfig } from 'vite'
import vue from '@vitejs/plugin-vue'
import type { Plugin } from 'vite'

// Vant's icon font is inlined as woff2, with a fallback on a CDN outside China's rules and our
// Content-Security-Policy: drop the fallback so the app never calls a third-party host.
function noExternalFonts(): Plugin {
  return {
    name: 'microwish-no-external-fonts',
    transform(code, id) {
      if (!id.includes('vant') || !id.endsWith('.css')) return null
      return code.replace(/,\s*url\((?:https?:)?\/\/at\.alicdn\.com[^)]*\)\s*format\("woff"\)/g, '')
    },
  }
}

// One build for every stage: settings come from /app/config.json at start (see src/lib/config.ts).
export default defineConfig({
  base: '/app/',
  plugins: [vue(), noExternalFonts()],
  build: {
    outDir: 'dist',
    assetsDir: 'assets',
    // No inline scripts or styles anywhere: the served app has a strict Content-Security-Policy.
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    target: 'es2020',
    // ECharts (the figures page's own chunk, ~170 KB gzip) is over Vite's default warning size.
    chunkSizeWarningLimit: 600,
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
