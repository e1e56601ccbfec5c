/** Capacity per channel as the editor holds it: rows; "*" is every channel without its own row. */
export type CapacityRow = { readonly channel: string; readonly limit: number | '' };

export const ANY_CHANNEL = '*';

export function rowsFromCapacity(capacity: Readonly<Record<string, number>>): CapacityRow[] {
  // The catch-all last: it reads as "and otherwise".
  return Object.entries(capacity)
    .sort(([a], [b]) => (a === ANY_CHANNEL ? 1 : b === ANY_CHANNEL ? -1 : a.localeCompare(b)))
    .map(([channel, limit]) => ({ channel, limit }));
}

/** What is wrong with one row, on the field it concerns. */
export type CapacityRowError = { readonly channel?: string; readonly limit?: string };

/** The API's `{ "chat": 3, "*": 5 }`, or the errors to show (row index → what is wrong, by field). */
export function capacityFromRows(rows: readonly CapacityRow[]): { readonly capacity: Record<string, number>; readonly errors: Readonly<Record<number, CapacityRowError>> } {
  const capacity: Record<string, number> = {};
  const errors: Record<number, CapacityRowError> = {};
  rows.forEach((row, i) => {
    const channel = row.channel.trim();
    const error: { channel?: string; limit?: string } = {};
    if (!channel) error.channel = 'Choose a channel';
    else if (channel in capacity) error.channel = 'This channel already has a limit';
    if (row.limit === '' || !Number.isInteger(row.limit) || row.limit < 0 || row.limit > 1000) error.limit = 'A whole number from 0 to 1000';
    if (error.channel || error.limit) errors[i] = error;
    else capacity[channel] = row.limit as number;
  });
  return { capacity, errors };
}

/** "chat 3 · email 2 · any 5", or the workspace default. */
export function describeCapacity(capacity: Readonly<Record<string, number>>, defaultCapacity?: number): string {
  const rows = rowsFromCapacity(capacity);
  if (rows.length === 0) return defaultCapacity === undefined ? 'workspace default' : `workspace default (${defaultCapacity})`;
  return rows.map((r) => `${r.channel === ANY_CHANNEL ? 'any' : r.channel} ${r.limit}`).join(' · ');
}
