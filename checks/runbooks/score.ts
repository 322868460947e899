// The score: alerting, the procedures a responder can reach, and a route to a human.
import { roundScore } from '../contract.ts';

/** What an alert leads its responder to. */
export type LinkKind = 'repository' | 'external' | 'computed' | 'issue' | 'inline' | 'none';

/**
 * How much of a linked runbook each kind is worth: a runbook (here, elsewhere, or computed by a
 * template) fully; steps written into the alert itself are a short procedure; an issue tracker may or
 * may not hold one.
 */
export function linkWeight(kind: LinkKind): number {
  return { repository: 1, external: 1, computed: 1, inline: 0.75, issue: 0.5, none: 0 }[kind];
}

export interface ScoreInput {
  /** Best runbook document, 0–1 (thorough 1, complete 0.85, partial 0.55, stub 0.1, none 0). */
  docs: number;
  /** Alert rules are defined here (or brought in from a shared chart). */
  alerts: boolean;
  /** Weighted share of alerts that link a runbook, 0–1. */
  coverage: number;
  onCall: boolean;
}

/**
 * With alerts: 3 for alerting at all, up to 3 for links, up to 2 for runbook documents, and an
 * on-call route worth 1 plus up to 1 more as there are procedures to follow (a pager with nothing to
 * follow is little help). Without alerts: up to 5 for documents, on-call the same way; such a
 * repository cannot pass on documents alone.
 */
export function scoreOf(input: ScoreInput): number {
  const { docs, alerts, coverage, onCall } = input;
  const procedures = alerts ? Math.max(coverage, docs) : docs;
  const route = onCall ? 1 + procedures : 0;
  const raw = alerts ? 3 + 3 * coverage + 2 * docs + route : 5 * docs + route;
  return roundScore(Math.min(10, raw));
}
