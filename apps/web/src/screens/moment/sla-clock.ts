import type { Moment } from '../../api/types.ts';
import { duration } from '../../ui/format.ts';

/** How close "due soon" is, unless the workspace says otherwise (moments.dueSoonMinutes). */
export const DUE_SOON_MS = 30 * 60_000;

export type SlaTone = 'none' | 'met' | 'paused' | 'running' | 'due_soon' | 'breached';
export type SlaReading = { readonly tone: SlaTone; readonly label: string; readonly deadline: string | null };

/**
 * The SLA as a timer reads at `now`: counting down while it runs, "due soon" inside the
 * warning window, breached (red, counting up) once a deadline passed — even before the server's
 * sweep has recorded the breach, since the deadline itself says so.
 */
export function readSla(sla: Moment['sla'], now: number, dueSoonMs = DUE_SOON_MS): SlaReading {
  const deadline = deadlineName(sla);
  const due = sla.dueAt === null ? null : Date.parse(sla.dueAt);
  if (sla.breachedAt !== null || (due !== null && due <= now)) {
    const since = Math.min(sla.breachedAt === null ? Number.POSITIVE_INFINITY : Date.parse(sla.breachedAt), due ?? Number.POSITIVE_INFINITY);
    return { tone: 'breached', label: `${deadline ?? 'SLA'} breached ${duration(now - since)} ago`, deadline };
  }
  if (sla.state === 'paused' || sla.pausedAt !== null) return { tone: 'paused', label: 'SLA paused: waiting on the customer', deadline };
  if (due === null) return sla.state === 'met' ? { tone: 'met', label: 'SLA met', deadline } : { tone: 'none', label: 'No SLA', deadline };
  const left = due - now;
  return { tone: left <= dueSoonMs ? 'due_soon' : 'running', label: `${deadline ?? 'SLA'} due in ${duration(left)}`, deadline };
}

/** Which deadline the moment's next due time is. */
function deadlineName(sla: Moment['sla']): string | null {
  if (sla.dueAt === null) return null;
  if (sla.dueAt === sla.firstResponseDue) return 'First response';
  if (sla.dueAt === sla.nextResponseDue) return 'Next response';
  if (sla.dueAt === sla.resolutionDue) return 'Resolution';
  return null;
}

export const SLA_COLOR: Readonly<Record<SlaTone, string>> = { none: 'gray', met: 'teal', paused: 'gray', running: 'blue', due_soon: 'orange', breached: 'red' };
