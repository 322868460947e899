// Each check's README is its remediation page: ours from checks/<id>/README.md, an organisation's
// own checks' from the file \`seaworthy build\` writes (their README.md, or the page made from a
// declarative check.yaml).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { defineCollection } from 'astro:content';

function checkPages(): { id: string; markdown: string }[] {
  const root = path.resolve('checks');
  const ours = readdirSync(root, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(path.join(root, d.name, 'README.md')))
    .map((d) => ({ id: d.name, markdown: readFileSync(path.join(root, d.name, 'README.md'), 'utf8') }));
  const file = process.env.SEAWORTHY_SITE_CHECKS;
  const plugins = file ? (JSON.parse(readFileSync(file, 'utf8')) as { pluginDocs: { id: string; markdown: string }[] }).pluginDocs : [];
  return [...ours, ...plugins];
}

export const collections = {
  checks: defineCollection({
    loader: {
      name: 'check-pages',
      load: async ({ store, renderMarkdown, generateDigest }) => {
        store.clear();
        for (const page of checkPages()) {
          store.set({ id: page.id, data: {}, body: page.markdown, digest: generateDigest(page.markdown), rendered: await renderMarkdown(page.markdown) });
        }
      },
    },
  }),
};
