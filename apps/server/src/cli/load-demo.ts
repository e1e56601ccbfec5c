import { generateDemoMessages, parseSegmentMessage } from '../modules/collect/index.ts';
import type { Touchpoint } from '../modules/profiles/index.ts';
import type { App } from '../main.ts';
import { loadDemoInbox } from './load-demo-inbox.ts';

const CHUNK = 2_000;

/**
 * Fills a workspace with the sample company: a few thousand customers over twelve months,
 * sent through the same validation and ingest path as real tracking calls, then its support
 * inbox (teams, people, rules, SLAs and a month of moments with those customers).
 */
export async function loadDemo(
  tp: App,
  workspaceId: string,
  options: { readonly customers?: number; readonly months?: number; readonly onProgress?: (done: number) => void } = {},
): Promise<number> {
  const now = tp.deps.clock.now();
  let chunk: Touchpoint[] = [];
  let done = 0;
  const flush = async () => {
    if (chunk.length === 0) return;
    await tp.ingest.submit(workspaceId, chunk);
    done += chunk.length;
    chunk = [];
    options.onProgress?.(done);
  };
  for (const message of generateDemoMessages({ customers: options.customers ?? 3000, months: options.months ?? 12, seed: 20261126, now: new Date(now) })) {
    const parsed = parseSegmentMessage(message, message.type, now);
    if (!parsed.ok) continue;
    chunk.push(parsed.touchpoint);
    if (chunk.length >= CHUNK) await flush();
  }
  await flush();
  await loadDemoInbox(tp, workspaceId);
  return done;
}
