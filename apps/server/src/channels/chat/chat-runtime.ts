import type { VisitorHub } from './visitor-hub.ts';

/**
 * The visitor hubs running in this process. The chat adapter is built before the HTTP layer
 * that owns the visitors' sockets (createAdapters takes no dependencies), so it finds its hub
 * here. Each HTTP server registers its hub and removes it on close; a process normally has
 * one, tests several (one per server), told apart by the workspace they serve.
 */
const hubs = new Set<VisitorHub>();
const owners = new Map<string, VisitorHub>();

export function registerVisitorHub(hub: VisitorHub): () => void {
  hubs.add(hub);
  return () => {
    hubs.delete(hub);
    for (const [workspaceId, owner] of owners) if (owner === hub) owners.delete(workspaceId);
  };
}

/** The hub whose database holds the workspace; null when no HTTP server runs here. */
export async function visitorHubFor(workspaceId: string): Promise<VisitorHub | null> {
  if (hubs.size <= 1) return hubs.values().next().value ?? null;
  const known = owners.get(workspaceId);
  if (known && hubs.has(known)) return known;
  for (const hub of hubs) {
    const row = await hub.deps.db.selectFrom('workspace').select('id').where('id', '=', workspaceId).executeTakeFirst().catch(() => undefined);
    if (row) {
      owners.set(workspaceId, hub);
      return hub;
    }
  }
  return null;
}
