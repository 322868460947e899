// Static site; pages read the SQLite database at build time (see crawler/site.ts).
import { defineConfig } from 'astro/config';

export default defineConfig({
  output: 'static',
  trailingSlash: 'always',
  build: { format: 'directory' },
  // Check pages show code from the READMEs: a high-contrast theme keeps every token readable (axe color-contrast).
  markdown: { shikiConfig: { theme: 'github-light-high-contrast' } },
  vite: { ssr: { external: ['better-sqlite3'] } },
});
