import type { Adapters } from './channel-adapter.ts';

/** The adapter of every channel kind that can send (each kind's folder exports its own). */
export function createAdapters(): Adapters {
  return {
    // one line per kind, e.g. `email: createEmailAdapter(),`
  };
}
