import type { APIContext } from 'astro';
import { repositoryDocument } from '../../../../../data/api.ts';
import { href, scorecard } from '../../../../lib/site.ts';

export function getStaticPaths() {
  return scorecard().repos().map((r) => ({ params: { slug: r.slug } }));
}

export function GET({ params }: APIContext): Response {
  return Response.json(repositoryDocument(scorecard(), params.slug!, href));
}
