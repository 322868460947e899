import type { APIContext } from 'astro';
import { teamDocument } from '../../../../../data/api.ts';
import { href, scorecard } from '../../../../lib/site.ts';

export function getStaticPaths() {
  return scorecard().teams().map((t) => ({ params: { team: t.name } }));
}

export function GET({ params }: APIContext): Response {
  return Response.json(teamDocument(scorecard(), params.team!, href));
}
