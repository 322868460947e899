// Static site; pages read the SQLite database at build time (see crawler/site.ts).
import { defineConfig } from 'astro/config';

export default defineConfig({
  output: 'static',
  trailingSlash: 'always',
  // Several pages in flight at once: rendering waits on file writes, and large organisations have thousands of pages.
  build: { format: 'directory', concurrency: 4 },
  // Check pages show code from the READMEs: a high-contrast theme keeps every token readable (axe color-contrast).
  markdown: { shikiConfig: { theme: 'github-light-high-contrast' } },
  vite: { ssr: { external: ['better-sqlite3'] } },
});
