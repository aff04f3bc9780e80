// In an app: `npm install socialized-loss` and delete the alias. Here the
// example builds against this repository's own dist/.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const dist = (file) => fileURLToPath(new URL(`../../dist/${file}`, import.meta.url));

export default defineConfig({
  resolve: {
    alias: [
      { find: /^socialized-loss\/reference$/, replacement: dist('reference.js') },
      { find: /^socialized-loss$/, replacement: dist('index.js') },
    ],
  },
  logLevel: 'warn',
});
