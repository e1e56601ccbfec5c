/** Capacity per channel as the editor holds it: rows; "*" is every channel without its own row. */
export type CapacityRow = { readonly channel: string; readonly limit: number | '' };

export const ANY_CHANNEL = '*';

export function rowsFromCapacity(capacity: Readonly<Record<string, number>>): CapacityRow[] {
  // The catch-all last: it reads as "and otherwise".
  return Object.entries(capacity)
    .sort(([a], [b]) => (a === ANY_CHANNEL ? 1 : b === ANY_CHANNEL ? -1 : a.localeCompare(b)))
    .map(([channel, limit]) => ({ channel, limit }));
}

/** The API's `{ "chat": 3, "*": 5 }`, or the errors to show (row index → message). */
export function capacityFromRows(rows: readonly CapacityRow[]): { readonly capacity: Record<string, number>; readonly errors: Readonly<Record<number, string>> } {
  const capacity: Record<string, number> = {};
  const errors: Record<number, string> = {};
  rows.forEach((row, i) => {
    const channel = row.channel.trim();
    if (!channel) errors[i] = 'Choose a channel';
    else if (channel in capacity) errors[i] = 'This channel already has a limit';
    else if (row.limit === '' || !Number.isInteger(row.limit) || row.limit < 0 || row.limit > 1000) errors[i] = 'A whole number from 0 to 1000';
    else capacity[channel] = row.limit;
  });
  return { capacity, errors };
}

/** "chat 3 · email 2 · any 5", or the workspace default. */
export function describeCapacity(capacity: Readonly<Record<string, number>>, defaultCapacity?: number): string {
  const rows = rowsFromCapacity(capacity);
  if (rows.length === 0) return defaultCapacity === undefined ? 'workspace default' : `workspace default (${defaultCapacity})`;
  return rows.map((r) => `${r.channel === ANY_CHANNEL ? 'any' : r.channel} ${r.limit}`).join(' · ');
}
