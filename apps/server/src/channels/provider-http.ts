/**
 * What every adapter's requests to a provider share: telling a timeout from an unreachable
 * host (with the network's own reason), and reading a body no larger than a limit.
 */

/** Whether a fetch gave up because its `AbortSignal.timeout` ran out. */
export function timedOut(error: unknown): boolean {
  return error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError');
}

/** Why a fetch failed: the network's reason (`connect ECONNREFUSED …`) that fetch wraps as its cause, else the error's message. */
export function causeOf(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  return error.cause instanceof Error ? error.cause.message : error.message;
}

/** The body, or null as soon as it is (or says it is) larger than `limit`: a huge file is never held in memory. */
export async function readAtMost(res: Response, limit: number): Promise<Buffer | null> {
  if (Number(res.headers.get('content-length') ?? 0) > limit) {
    await res.body?.cancel();
    return null;
  }
  const chunks: Buffer[] = [];
  let size = 0;
  // Leaving the loop early cancels the download.
  for await (const chunk of res.body ?? []) {
    size += chunk.length;
    if (size > limit) return null;
    chunks.push(Buffer.from(chunk));
  }
  return Buffer.concat(chunks);
}
