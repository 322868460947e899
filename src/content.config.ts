// Each check's README is its remediation page.
import { defineCollection } from 'astro:content';
import { glob } from 'astro/loaders';

export const collections = {
  checks: defineCollection({
    loader: glob({ pattern: '*/README.md', base: './checks', generateId: ({ entry }) => entry.split('/')[0] ?? entry }),
  }),
};
