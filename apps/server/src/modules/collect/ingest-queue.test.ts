import { describe, expect, it } from 'vitest';
import { createLogger } from '../../platform/logger.ts';
import type { RecordOutcome, Touchpoint } from '../profiles/index.ts';
import { DEFAULT_SETTINGS, type SettingsCache } from '../workspaces/index.ts';
import type { CommitBatches } from './commit-batches.ts';
import { createIngestQueue } from './ingest-queue.ts';

const settings: SettingsCache = { get: async () => DEFAULT_SETTINGS, forget: async () => undefined };
const log = createLogger('silent');
const tp = (messageId: string): Touchpoint => ({
  messageId,
  type: 'track',
  name: 'E',
  channel: 'server',
  userId: 'u',
  anonymousId: null,
  previousId: null,
  traits: {},
  properties: {},
  context: {},
  timestamp: 0,
  receivedAt: 0,
});
const outcomeOf = (n: number): RecordOutcome => ({ customerIds: Array.from({ length: n }, () => 'c'), stored: n, duplicates: 0, created: 0, merged: 0, conflicts: 0, leftOut: [] });

describe('createIngestQueue', () => {
  it('commits requests that arrive together in one group, answering each after it', async () => {
    const commits: string[][] = [];
    const commit: CommitBatches = async (batches) => {
      commits.push(batches.flatMap((b) => b.touchpoints.map((t) => t.messageId)));
      return batches.map((b) => outcomeOf(b.touchpoints.length));
    };
    const queue = createIngestQueue({ log }, settings, commit);
    const answers = await Promise.all([queue.submit('w', [tp('a')]), queue.submit('w', [tp('b'), tp('c')]), queue.submit('v', [tp('d')])]);
    expect(commits).toEqual([['a', 'b', 'c', 'd']]);
    expect(answers.map((a) => a.stored)).toEqual([1, 2, 1]);
  });

  it('retries a failed group request by request, so one bad request fails alone', async () => {
    const commit: CommitBatches = async (batches) => {
      if (batches.some((b) => b.touchpoints.some((t) => t.messageId === 'poison'))) throw new Error('constraint failed');
      return batches.map((b) => outcomeOf(b.touchpoints.length));
    };
    const queue = createIngestQueue({ log }, settings, commit);
    const results = await Promise.allSettled([queue.submit('w', [tp('good')]), queue.submit('w', [tp('poison')]), queue.submit('w', [tp('fine')])]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
  });

  it('prepares each request as it arrives, while the group before it is still committing', async () => {
    const events: string[] = [];
    let release = () => {};
    const commit: CommitBatches = async (batches) => {
      const ids = batches.flatMap((b) => b.touchpoints.map((t) => t.name));
      events.push(`commit ${ids.join(',')}`);
      if (ids.includes('first')) await new Promise<void>((r) => (release = r));
      events.push(`committed ${ids.join(',')}`);
      return batches.map((b) => outcomeOf(b.touchpoints.length));
    };
    const prepare = (t: Touchpoint): Touchpoint => {
      events.push(`prepare ${t.messageId}`);
      return { ...t, name: t.messageId };
    };
    const queue = createIngestQueue({ log }, settings, commit, prepare);
    const first = queue.submit('w', [tp('first')]);
    await new Promise((r) => setImmediate(r));
    const second = queue.submit('w', [tp('second')]);
    expect(events).toEqual(['prepare first', 'commit first', 'prepare second']);
    release();
    await Promise.all([first, second]);
    // The commit received what prepare made.
    expect(events.slice(3)).toEqual(['committed first', 'commit second', 'committed second']);
  });

  it('finishes what it accepted before closing, and refuses new work after', async () => {
    let committed = 0;
    const commit: CommitBatches = async (batches) => {
      await new Promise((r) => setTimeout(r, 20));
      committed += batches.length;
      return batches.map((b) => outcomeOf(b.touchpoints.length));
    };
    const queue = createIngestQueue({ log }, settings, commit);
    const accepted = queue.submit('w', [tp('x')]);
    await queue.close();
    expect(committed).toBe(1);
    await expect(accepted).resolves.toMatchObject({ stored: 1 });
    await expect(queue.submit('w', [tp('late')])).rejects.toMatchObject({ code: 'shutting_down' });
  });
});
