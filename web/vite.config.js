import { defineConfig } from 'vite'
import vue from '@vitejs/plugin-vue'

// The C server embeds web/dist and serves it at "/", assets under /assets/.
// During development `npx vite` proxies the API to a running server (TB_URL).
export default defineConfig({
  plugins: [vue()],
  base: '/',
  define: {
    __VUE_I18N_FULL_INSTALL__: true,
    __VUE_I18N_LEGACY_API__: false,
    __INTLIFY_PROD_DEVTOOLS__: false,
    __INTLIFY_JIT_COMPILATION__: true,
    __INTLIFY_DROP_MESSAGE_COMPILER__: false,
  },
  build: {
    outDir: 'dist',
    assetsDir: 'assets',
    emptyOutDir: true,
    sourcemap: false,
    chunkSizeWarningLimit: 1200,
    rollupOptions: {
      output: {
        manualChunks(id) {
          if (!id.includes('node_modules')) return undefined
          if (id.includes('echarts') || id.includes('zrender')) return 'echarts'
          if (id.includes('element-plus')) return 'element-plus'
          return 'vendor'
        },
      },
    },
  },
  server: {
    proxy: {
      '/api': process.env.TB_URL || 'http://127.0.0.1:18080',
    },
  },
})
