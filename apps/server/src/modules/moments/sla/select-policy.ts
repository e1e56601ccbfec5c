import type { SlaPolicy } from './sla-policy.ts';

export type PolicyScope = Pick<SlaPolicy, 'id' | 'priority' | 'channel' | 'businessUnitId' | 'createdAt'>;

/** What a policy is matched on. */
export type SlaSubject = { readonly priority: string; readonly channel: string; readonly businessUnitId: string | null };

/**
 * The policy that applies to a moment: among those whose every set field matches (null = any),
 * the most specific one (most fields set); on a tie the oldest, so adding a policy never
 * silently changes which one running moments' siblings get.
 */
export function selectPolicy<P extends PolicyScope>(policies: readonly P[], subject: SlaSubject): P | null {
  let best: P | null = null;
  let bestScore = -1;
  for (const p of policies) {
    if (p.priority !== null && p.priority !== subject.priority) continue;
    if (p.channel !== null && p.channel !== subject.channel) continue;
    if (p.businessUnitId !== null && p.businessUnitId !== subject.businessUnitId) continue;
    const score = Number(p.priority !== null) + Number(p.channel !== null) + Number(p.businessUnitId !== null);
    if (score > bestScore || (score === bestScore && best !== null && older(p, best))) {
      best = p;
      bestScore = score;
    }
  }
  return best;
}

const older = (a: PolicyScope, b: PolicyScope): boolean => a.createdAt < b.createdAt || (a.createdAt === b.createdAt && a.id < b.id);
