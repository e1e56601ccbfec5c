import type { Deps } from '../../platform/deps.ts';
import type { Activity, Publish } from './activity.ts';

/** Fans committed moment activities out to connected agents (filled in by the stream work). */
export type StreamHub = {
  readonly publish: Publish;
  readonly close: () => Promise<void>;
};

export function createStreamHub(_deps: Deps): StreamHub {
  return { publish: (_activities: readonly Activity[]) => undefined, close: async () => undefined };
}
