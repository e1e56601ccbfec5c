import { isAvailable, type Candidate } from './agent-load.ts';

export type Strategy = 'round_robin' | 'least_loaded' | 'skills';

/**
 * Chooses who in a team takes the next moment, among those online with room on the channel.
 * - round_robin: the next member after the last one served, in a fixed order;
 * - least_loaded: fewest moments on the channel (ties: round-robin order);
 * - skills: only members with every required skill, then least loaded.
 * Returns null when nobody can take it (the moment then waits in the team's line).
 */
export function pickAgent(strategy: Strategy, members: readonly Candidate[], lastAssignedId: string | null, requiredSkills: readonly string[]): Candidate | null {
  // Turn order: members after the last one served first, then from the start.
  const ordered = [...members].sort((a, b) => (a.id < b.id ? -1 : 1));
  const after = lastAssignedId === null ? 0 : ordered.findIndex((m) => m.id > lastAssignedId);
  const turn = after <= 0 ? ordered : [...ordered.slice(after), ...ordered.slice(0, after)];
  let open = turn.filter(isAvailable);
  if (strategy === 'skills' || requiredSkills.length > 0) open = open.filter((m) => requiredSkills.every((s) => m.skills.has(s)));
  if (open.length === 0) return null;
  if (strategy === 'round_robin') return open[0]!;
  let best = open[0]!;
  for (const m of open) if (m.load < best.load) best = m;
  return best;
}
