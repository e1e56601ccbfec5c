import type { Running } from './harness.ts';

/** A person who works moments: their id and a session token to act as them. */
export type Person = { readonly id: string; readonly email: string; readonly token: string };

let seq = 0;

/** Creates an agent through the API and signs them in. */
export async function addAgent(s: Running, options: { readonly name?: string; readonly role?: string; readonly skills?: string[]; readonly capacity?: Record<string, number>; readonly online?: boolean } = {}): Promise<Person> {
  const email = `agent${++seq}-${Math.random().toString(36).slice(2, 8)}@acme.test`;
  const password = 'a long enough password';
  const created = await s.api('POST', '/api/v1/agents', { email, name: options.name ?? email.split('@')[0], role: options.role ?? 'agent', password, ...(options.skills ? { skills: options.skills } : {}), ...(options.capacity ? { capacity: options.capacity } : {}) });
  if (created.status !== 201) throw new Error(`agent not created: ${JSON.stringify(created.body)}`);
  const signIn = await fetch(`${s.url}/api/v1/sessions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password }) });
  const { token } = (await signIn.json()) as { token: string };
  const person = { id: created.body.id as string, email, token };
  if (options.online !== false) await setPresence(s, person, 'online');
  return person;
}

export async function setPresence(s: Running, person: Person, presence: 'online' | 'away' | 'offline'): Promise<void> {
  const res = await s.api('PUT', `/api/v1/agents/${person.id}/presence`, { presence }, person.token);
  if (res.status !== 200) throw new Error(`presence: ${JSON.stringify(res.body)}`);
}

/** Creates a team through the API. */
export async function addTeam(s: Running, members: readonly Person[], options: { readonly strategy?: string; readonly fallbackOwnerId?: string; readonly leadId?: string } = {}): Promise<string> {
  const key = `team-${++seq}`;
  const res = await s.api('POST', '/api/v1/teams', { key, name: key, agentIds: members.map((m) => m.id), ...options });
  if (res.status !== 201) throw new Error(`team not created: ${JSON.stringify(res.body)}`);
  return res.body.id as string;
}

/** Opens a moment as the API key (a channel integration would). */
export async function open(s: Running, body: Record<string, unknown>) {
  return s.api('POST', '/api/v1/moments', { channel: 'chat', ...body, message: { body: 'Hello, I need help', ...(body.message as object | undefined) } });
}

export async function ledger(s: Running, momentId: string) {
  return (await s.api('GET', `/api/v1/moments/${momentId}/ownership`)).body.data as { ownerId: string; teamId: string | null; reason: string; from: string; to: string | null; note: string | null }[];
}
