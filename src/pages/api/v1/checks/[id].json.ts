import type { APIContext } from 'astro';
import { checkDocument } from '../../../../../data/api.ts';
import { catalog, href, scorecard } from '../../../../lib/site.ts';

export function getStaticPaths() {
  return catalog.map((c) => ({ params: { id: c.id } }));
}

export function GET({ params }: APIContext): Response {
  return Response.json(checkDocument(scorecard(), params.id!, href));
}
