import { describe, expect, it } from 'vitest';
import type { BusinessHours } from './business-time.ts';
import { onAgentReply, onCustomerMessage, pause, recordBreach, resume, startClock, type SlaTerms } from './sla-clock.ts';
import { switchPolicy, type Timing } from './switch-policy.ts';

const M = 60_000;
const H = 60 * M;
const t0 = Date.parse('2026-06-01T10:00:00Z'); // a Monday
const normal: Timing = { policy: { id: 'normal', firstResponseMinutes: 60, nextResponseMinutes: 30, resolutionMinutes: 480 }, hours: null };
const urgent: Timing = { policy: { id: 'urgent', firstResponseMinutes: 15, nextResponseMinutes: 10, resolutionMinutes: 120 }, hours: null };
const opened = { openedAt: t0, awaitingSince: t0 };
const start = (t: Timing) => startClock(t.policy, t.hours, t0);
const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

describe('switchPolicy', () => {
  it('sets running deadlines by the new minutes from the opening; one already passed is due at once', () => {
    const c = switchPolicy(start(normal), normal, urgent, opened);
    expect(c).toMatchObject({ sla_policy_id: 'urgent', first_response_due: t0 + 15 * M, resolution_due: t0 + 2 * H, sla_due_at: t0 + 15 * M });
    // Lowered: the deadlines move out.
    expect(switchPolicy(c, urgent, normal, opened)).toMatchObject({ sla_policy_id: 'normal', first_response_due: t0 + H, resolution_due: t0 + 8 * H, sla_due_at: t0 + H });
  });

  it('keeps a met first response; the next response counts from the message the customer waits on', () => {
    const answered = onAgentReply(start(normal), t0 + 10 * M);
    const wrote = t0 + 40 * M;
    const waiting = onCustomerMessage(answered, normal.policy, null, wrote);
    expect(waiting.next_response_due).toBe(wrote + 30 * M);
    const c = switchPolicy(waiting, normal, urgent, { openedAt: t0, awaitingSince: wrote });
    expect(c).toMatchObject({ first_response_at: t0 + 10 * M, first_response_due: t0 + H, next_response_due: wrote + 10 * M, resolution_due: t0 + 2 * H, sla_due_at: wrote + 10 * M });
  });

  it('starts a deadline the old policy did not set when the new one does', () => {
    const resolutionOnly: Timing = { policy: { id: 'r', firstResponseMinutes: null, nextResponseMinutes: null, resolutionMinutes: 600 }, hours: null };
    const answered = onAgentReply(start(resolutionOnly), t0 + 5 * M);
    const c = switchPolicy(answered, resolutionOnly, urgent, { openedAt: t0, awaitingSince: t0 + 20 * M });
    expect(c).toMatchObject({ first_response_due: null, next_response_due: t0 + 30 * M, resolution_due: t0 + 2 * H });
  });

  it('does not count time spent waiting on the customer, before or during the change', () => {
    // Pending for an hour from 10:10: the resolution deadline moved an hour on.
    const resumed = resume(pause(onAgentReply(start(normal), t0 + 5 * M), t0 + 10 * M), null, t0 + 70 * M);
    expect(resumed.resolution_due).toBe(t0 + 9 * H);
    expect(switchPolicy(resumed, normal, urgent, opened).resolution_due).toBe(t0 + 3 * H);
    // Changed while still pending: set as of the pause, so resuming gives the time left.
    const paused = pause(resumed, t0 + 80 * M);
    const c = switchPolicy(paused, normal, urgent, opened);
    expect(c).toMatchObject({ resolution_due: t0 + 3 * H, sla_paused_at: t0 + 80 * M, sla_due_at: null });
    expect(resume(c, null, t0 + 140 * M).resolution_due).toBe(t0 + 4 * H);
  });

  it('records, while pending, a deadline the new terms put before the pause (pausing would have)', () => {
    const paused = pause(start(normal), t0 + 30 * M);
    const c = switchPolicy(paused, normal, urgent, opened);
    expect(c).toMatchObject({ first_response_due: t0 + 15 * M, sla_breached_at: t0 + 15 * M, sla_due_at: null });
  });

  it('leaves a deadline already recorded as breached as it was', () => {
    const { clock: swept } = recordBreach(start(urgent), t0 + 20 * M);
    expect(swept).toMatchObject({ sla_breached_at: t0 + 20 * M, sla_due_at: t0 + 2 * H });
    const c = switchPolicy(swept, urgent, normal, opened);
    expect(c).toMatchObject({ first_response_due: t0 + 15 * M, resolution_due: t0 + 8 * H, sla_due_at: t0 + 8 * H, sla_breached_at: t0 + 20 * M });
  });

  it('counts business hours of the new policy', () => {
    const nineToFive = [['09:00', '17:00']] as const;
    const office: BusinessHours = { timeZone: 'UTC', weekly: { mon: nineToFive, tue: nineToFive, wed: nineToFive, thu: nineToFive, fri: nineToFive }, holidays: [] };
    const officeUrgent: Timing = { policy: { ...urgent.policy, id: 'office' } as SlaTerms, hours: office };
    // Opened Monday 10:00: 120 business minutes end at 12:00; 480 (normal, around the clock) at 18:00.
    const c = switchPolicy(start(normal), normal, officeUrgent, opened);
    expect(iso(c.resolution_due)).toBe('2026-06-01T12:00:00.000Z');
    // And back to around the clock.
    const late = startClock(officeUrgent.policy, office, Date.parse('2026-06-01T16:30:00Z'));
    expect(iso(late.resolution_due)).toBe('2026-06-02T10:30:00.000Z');
    expect(iso(switchPolicy(late, officeUrgent, normal, { openedAt: Date.parse('2026-06-01T16:30:00Z'), awaitingSince: null }).resolution_due)).toBe('2026-06-02T00:30:00.000Z');
  });

  it('no policy for the new priority: nothing is due; what was met or breached stays', () => {
    const { clock: swept } = recordBreach(onAgentReply(start(urgent), t0 + 5 * M), t0 + 3 * H);
    const c = switchPolicy(swept, urgent, null, opened);
    expect(c).toMatchObject({ sla_policy_id: null, first_response_due: null, resolution_due: null, sla_due_at: null, first_response_at: t0 + 5 * M, sla_breached_at: t0 + 3 * H });
  });
});
