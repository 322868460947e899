import type { APIContext } from 'astro';
import { renderBadge } from '../../../../data/badge.ts';
import { scorecard } from '../../../lib/site.ts';

export function getStaticPaths() {
  return scorecard().teams().map((t) => ({ params: { team: t.name } }));
}

export function GET({ params }: APIContext): Response {
  const team = scorecard().team(params.team!)!;
  return new Response(renderBadge({ label: 'seaworthy', score: team.score, level: team.levelName, subject: team.displayName }), { headers: { 'content-type': 'image/svg+xml' } });
}
