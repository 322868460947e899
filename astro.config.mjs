// Static site; pages read the SQLite database at build time (see crawler/site.ts).
import { defineConfig } from 'astro/config';

export default defineConfig({
  output: 'static',
  trailingSlash: 'always',
  build: { format: 'directory' },
  vite: { ssr: { external: ['better-sqlite3'] } },
});
