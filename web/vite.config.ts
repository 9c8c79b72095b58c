// Vite build and dev server for the SkillBridge web app. The root is web/ so that `npm run build`
// from the repository root and `vite --config web/vite.config.ts` behave the same.
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

const webRoot = new URL('.', import.meta.url).pathname;
const apiTarget = 'http://127.0.0.1:3000';

export default defineConfig({
  root: webRoot,
  plugins: [react()],
  build: {
    outDir: new URL('./dist', import.meta.url).pathname,
    emptyOutDir: true,
    // Libraries change less often than the app, so they get their own long-lived chunks.
    // @mantine/charts (with recharts) is left out: it goes with the lazily loaded pages that
    // draw charts instead of into the chunk every page loads.
    rolldownOptions: {
      output: {
        codeSplitting: {
          groups: [
            {
              name: 'react',
              test: /node_modules[\\/](react|react-dom|scheduler|react-router|react-router-dom|cookie)[\\/]/,
            },
            {
              name: 'mantine',
              test: /node_modules[\\/](@mantine[\\/](?!charts[\\/])[^\\/]+|@floating-ui|clsx|react-remove-scroll|react-remove-scroll-bar|react-style-singleton|use-callback-ref|use-sidecar|react-number-format|react-textarea-autosize|tslib|get-nonce|detect-node-es)[\\/]/,
            },
            { name: 'query', test: /node_modules[\\/]@tanstack[\\/]/ },
          ],
        },
      },
    },
  },
  server: {
    proxy: {
      '/api': apiTarget,
      '/livez': apiTarget,
      '/readyz': apiTarget,
    },
  },
});
