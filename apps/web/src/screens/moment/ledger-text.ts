import type { OwnershipEntry } from '../../api/types.ts';
import { clockTime } from '../../ui/format.ts';

/** One line of the ownership history, as people say it. */
export type LedgerLine = { readonly key: string; readonly text: string; readonly at: string; readonly current: boolean };

const HOW: Readonly<Record<string, string>> = {
  rule: 'by an assignment rule',
  round_robin: 'in turn',
  least_loaded: 'as the least loaded',
  skills: 'for their skills',
  returning_customer: 'as the customer’s last owner',
};

/**
 * The ledger as readable history, oldest first, e.g.
 * "Sales → Service, accepted by Ana 14:02, reason: billing question".
 * `actorName` names who acted (`key:…` is an API key).
 */
export function ledgerLines(entries: readonly OwnershipEntry[], actorName: (actor: string) => string): LedgerLine[] {
  return entries.map((entry, i) => {
    const previous = i > 0 ? entries[i - 1] : undefined;
    const owner = entry.ownerName ?? 'someone';
    const team = entry.teamName ?? 'no team';
    const move = previous && previous.teamId !== entry.teamId ? `${previous.teamName ?? 'no team'} → ${team}, ` : '';
    const at = clockTime(entry.from);
    const reason = entry.note ? `, reason: ${entry.note}` : '';
    let text: string;
    switch (entry.reason) {
      case 'acceptance':
        text = `${move}accepted by ${owner} ${at}${reason}`;
        break;
      case 'take_over':
        text = `${move}taken over by ${owner} ${at}${previous ? ` from ${previous.ownerName ?? 'someone'}` : ''}${reason}`;
        break;
      case 'escalation':
        text = `${move}escalated to ${owner} ${at}${reason}`;
        break;
      case 'manual':
        text = `${move}assigned to ${owner} by ${actorName(entry.actor)} ${at}${reason}`;
        break;
      case 'fallback':
        text = `${move}waiting in ${team}’s line, held by ${owner} ${at}`;
        break;
      case 'capacity':
      case 'came_online':
        text = `${move}${owner} took it from ${team}’s line ${at}`;
        break;
      case 'agent_offline':
        text = `${move}${previous?.ownerName ?? 'the owner'} went offline; ${owner} took it ${at}`;
        break;
      case 'member_removed':
        text = `${move}${previous?.ownerName ?? 'the owner'} left the team; ${owner} took it ${at}`;
        break;
      case 'read_only':
        text = `${move}${previous?.ownerName ?? 'the owner'} became an analyst; ${owner} took it ${at}`;
        break;
      case 'sla_breach':
        text = `${move}re-routed to ${owner} after an SLA breach ${at}`;
        break;
      case 'merged':
        text = `${move}merged in, owned by ${owner} ${at}`;
        break;
      default:
        text = `${previous ? move : `Opened in ${team}, `}assigned to ${owner} ${HOW[entry.reason] ?? `(${entry.reason.replace(/_/g, ' ')})`} ${at}`;
    }
    return { key: `${entry.from}-${i}`, text: text.charAt(0).toUpperCase() + text.slice(1), at: entry.from, current: entry.to === null };
  });
}
