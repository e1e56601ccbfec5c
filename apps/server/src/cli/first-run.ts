import { createFirstWorkspace, createWorkspace, type CreatedWorkspace } from '../modules/workspaces/index.ts';
import { DEMO_BUSINESS_UNITS } from '../modules/collect/index.ts';
import type { App } from '../main.ts';
import { loadDemo } from './load-demo.ts';

export type FirstRun = { readonly workspace: CreatedWorkspace; readonly demo: (CreatedWorkspace & { readonly touchpoints: number }) | null };

/**
 * On an empty database: the company's workspace with its owner and keys, and (unless turned
 * off) a separate Demo workspace full of sample customers. Returns null when workspaces exist.
 */
export async function firstRun(
  tp: App,
  options: { readonly name?: string; readonly ownerEmail: string; readonly demo: boolean; readonly onProgress?: (done: number) => void },
): Promise<FirstRun | null> {
  const workspace = await createFirstWorkspace(tp.deps, {
    name: options.name ?? 'My company',
    ownerEmail: options.ownerEmail,
    ownerName: 'Owner',
  });
  // Another start made it (or it was made long ago): that start prints the keys, not this one.
  if (!workspace) return null;
  if (!options.demo) return { workspace, demo: null };
  const demoWorkspace = await createWorkspace(tp.deps, { name: 'Demo', ownerEmail: 'demo@touchpoint.local', ownerName: 'Demo owner', businessUnits: DEMO_BUSINESS_UNITS });
  const touchpoints = await loadDemo(tp, demoWorkspace.workspaceId, { onProgress: options.onProgress });
  return { workspace, demo: { ...demoWorkspace, touchpoints } };
}

/** What the first start prints once: the sign-in and keys (never logged, only hashes are stored). */
export function printFirstRun(result: FirstRun, out: (line: string) => void): void {
  const w = result.workspace;
  out('');
  out(`Workspace "${w.name}" created (${w.workspaceId})`);
  out(`  sign in:   ${w.ownerEmail} / ${w.ownerPassword}`);
  out(`  API key:   ${w.apiKey}`);
  out(`  write key: ${w.writeKey}`);
  out('  (shown once: only their hashes are stored)');
  if (result.demo) {
    out(`Demo workspace loaded with ${result.demo.touchpoints} touchpoints (${result.demo.workspaceId})`);
    out(`  sign in:   ${result.demo.ownerEmail} / ${result.demo.ownerPassword}`);
    out(`  API key:   ${result.demo.apiKey}`);
    out(`  write key: ${result.demo.writeKey}`);
  }
  out('');
}
