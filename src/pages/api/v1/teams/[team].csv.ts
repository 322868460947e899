import type { APIContext } from 'astro';
import { teamCsv } from '../../../../../data/api.ts';
import { scorecard } from '../../../../lib/site.ts';

export function getStaticPaths() {
  return scorecard().teams().map((t) => ({ params: { team: t.name } }));
}

export function GET({ params }: APIContext): Response {
  return new Response(teamCsv(scorecard(), params.team!), { headers: { 'content-type': 'text/csv; charset=utf-8' } });
}
