import { Badge } from '@mantine/core';
import { IconClock } from '@tabler/icons-react';
import { useEffect, useState } from 'react';
import type { Moment } from '../../api/types.ts';
import { fullTime } from '../../ui/format.ts';
import { readSla, SLA_COLOR, DUE_SOON_MS } from './sla-clock.ts';

/** A live SLA countdown: ticks every second while a deadline runs, turns orange when due soon and red when breached. */
export function SlaTimer({ sla, dueSoonMs = DUE_SOON_MS }: { readonly sla: Moment['sla']; readonly dueSoonMs?: number }) {
  const [now, setNow] = useState(() => Date.now());
  const ticking = sla.dueAt !== null && sla.pausedAt === null;
  useEffect(() => {
    if (!ticking) return;
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, [ticking]);
  const reading = readSla(sla, now, dueSoonMs);
  if (reading.tone === 'none') return null;
  return (
    <Badge
      size="lg"
      variant={reading.tone === 'breached' ? 'filled' : 'light'}
      color={SLA_COLOR[reading.tone]}
      leftSection={<IconClock size={14} aria-hidden />}
      title={sla.dueAt ? `Due ${fullTime(sla.dueAt)}` : undefined}
      data-testid="sla-timer"
      data-tone={reading.tone}
      role="timer"
      aria-live="off"
    >
      {reading.label}
    </Badge>
  );
}
