import type { APIContext } from 'astro';
import { renderBadge } from '../../../../data/badge.ts';
import { scorecard } from '../../../lib/site.ts';

export function getStaticPaths() {
  return scorecard().repos().map((r) => ({ params: { slug: r.slug } }));
}

export function GET({ params }: APIContext): Response {
  const repo = scorecard().repo(params.slug!)!;
  return new Response(renderBadge({ label: 'seaworthy', score: repo.score, level: repo.levelName, subject: repo.name }), { headers: { 'content-type': 'image/svg+xml' } });
}
