/**
 * Rows a pruning DELETE removes per statement. On SQLite each statement runs on the server's
 * thread and holds the write lock, so this bounds how long a prune holds up requests and
 * writers: measured on 60,000 old rows, 5,000 a statement stalled the event loop 12–13 ms a
 * statement (outbox) and 17–24 ms (moment activities, a kilobyte each); 500 stalls it 2.4–3.9
 * and 3.5–4.9 ms, for 20–35 % longer in all.
 */
export const DELETE_BATCH = 500;

/**
 * Runs `deleteBatch` (a DELETE of at most DELETE_BATCH rows, returning how many went) until a
 * run removes fewer: each statement holds the write lock briefly, so other writers are not
 * held up by one long delete. Returns how many rows went in all.
 * @example await deleteInBatches(async () => (await db.deleteFrom('outbox').where(…).limit(DELETE_BATCH)…executeTakeFirst()).numDeletedRows)
 */
export async function deleteInBatches(deleteBatch: () => Promise<bigint | number>): Promise<number> {
  let removed = 0;
  for (;;) {
    const n = Number(await deleteBatch());
    removed += n;
    if (n < DELETE_BATCH) return removed;
  }
}
