/**
 * Runs `deleteBatch` (a DELETE of at most `batch` rows, returning how many went) until a run
 * removes fewer: each statement holds the write lock briefly, so other writers are not held up
 * by one long delete. Returns how many rows went in all.
 * @example await deleteInBatches(5_000, async () => (await db.deleteFrom('outbox').where(…).executeTakeFirst()).numDeletedRows)
 */
export async function deleteInBatches(batch: number, deleteBatch: () => Promise<bigint | number>): Promise<number> {
  let removed = 0;
  for (;;) {
    const n = Number(await deleteBatch());
    removed += n;
    if (n < batch) return removed;
  }
}
