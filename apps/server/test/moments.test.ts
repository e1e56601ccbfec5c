import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixedClock } from '../src/platform/clock.ts';
import { createWorkspace } from '../src/modules/workspaces/index.ts';
import { sweepMoments } from '../src/modules/moments/sweep-moments.ts';
import { ENGINES, startServer, type Running } from './harness.ts';
import { addAgent, addTeam, ledger, open, setPresence } from './moments-fixtures.ts';
import { resolve, sampleBody, type OpenApi } from './openapi-sample.ts';

const HOUR = 3_600_000;
let n = 0;
const uniq = (prefix: string) => `${prefix}-${++n}`;

describe.each(ENGINES)('moments on %s', (engine) => {
  let s: Running;
  const clock = fixedClock(Date.parse('2026-06-01T10:00:00Z'));
  beforeAll(async () => {
    s = await startServer(engine, { clock });
  });
  afterAll(async () => s?.stop());

  /** A rule sending one channel to a team, so each test routes in its own corner of the workspace. */
  const ruleFor = async (channel: string, teamId: string, extra: Record<string, unknown> = {}) => {
    const res = await s.api('POST', '/api/v1/assignment-rules', { name: `to ${channel}`, conditions: { channels: [channel] }, teamId, ...extra });
    expect(res.status).toBe(201);
    return res.body.id as string;
  };

  it('opens a moment for a new identity: one customer, owned in the same breath, on the timeline', async () => {
    const ana = await addAgent(s);
    const team = await addTeam(s, [ana]);
    const channel = uniq('chat');
    await ruleFor(channel, team);
    const res = await open(s, { identity: 'email:New.Person@Example.com', name: 'New Person', channel, subject: 'Where is my order?', tags: ['Orders'] });
    expect(res.status).toBe(201);
    expect(res.body.outcome).toBe('opened');
    const m = res.body.moment;
    expect(m).toMatchObject({ status: 'open', ownerId: ana.id, teamId: team, channel, subject: 'Where is my order?', tags: ['orders'], queued: false, messageCount: 1 });
    const customer = (await s.api('GET', '/api/v1/customers?identity=email:new.person@example.com')).body.data[0];
    expect(customer.id).toBe(m.customerId);
    expect(customer.traits.name).toBe('New Person');
    // The moment's lines reach the timeline through the outbox (one worker pass).
    await s.tp.worker.drain();
    const lines = (await s.api('GET', `/api/v1/customers/${m.customerId}/timeline`)).body.data;
    const timeline = lines.map((e: any) => e.name);
    expect(timeline).toEqual(expect.arrayContaining(['Moment Opened', 'Message Received']));
    // The subject was given: not marked as made from the message.
    expect(lines.find((e: any) => e.name === 'Moment Opened').properties).toMatchObject({ momentId: m.id, subject: 'Where is my order?' });
    expect(lines.find((e: any) => e.name === 'Moment Opened').properties.subjectFrom).toBeUndefined();
    // Without a subject (a chat, a WhatsApp message) the first line makes one, and the timeline says so.
    const untitled = (await open(s, { identity: 'email:new.person@example.com', channel: uniq('whatsapp'), message: { body: 'Is the parcel coming today?\nOrder 1042' } })).body.moment;
    expect(untitled.subject).toBe('Is the parcel coming today?');
    await s.tp.worker.drain();
    const opened = (await s.api('GET', `/api/v1/customers/${m.customerId}/timeline?name=Moment%20Opened`)).body.data.find((e: any) => e.properties.momentId === untitled.id);
    expect(opened.properties).toMatchObject({ subject: 'Is the parcel coming today?', subjectFrom: 'message' });
    // The timeline shows which department handled it, and filters by department and by several channels.
    const teamKey = (await s.api('GET', '/api/v1/teams')).body.data.find((t: any) => t.id === team).key;
    const handled = (await s.api('GET', `/api/v1/customers/${m.customerId}/timeline?department=${teamKey}`)).body.data;
    expect(handled.map((e: any) => e.name).sort()).toEqual(['Message Received', 'Moment Opened']);
    expect(handled[0].properties.department).toBe(teamKey);
    expect((await s.api('GET', `/api/v1/customers/${m.customerId}/timeline?department=nobody`)).body.data).toEqual([]);
    // The identify that created the customer, the moment opening and the message.
    expect((await s.api('GET', `/api/v1/customers/${m.customerId}/timeline?channel=sms,${channel}`)).body.data).toHaveLength(3);
    expect((await s.api('GET', `/api/v1/customers/${m.customerId}/timeline?department=Bad Key`)).status).toBe(400);
    const history = await ledger(s, m.id);
    expect(history).toHaveLength(1);
    expect(history[0]).toMatchObject({ ownerId: ana.id, teamId: team, to: null });
  });

  it("learns a sender's name once: the same name on the next message adds nothing to the timeline, a new one updates it", async () => {
    const channel = uniq('whatsapp');
    const first = await open(s, { identity: 'phone:+14155550170', name: 'Rita Moreno', channel, message: { body: 'Hi' } });
    expect(first.status).toBe(201);
    const customerId = first.body.moment.customerId;
    expect((await open(s, { identity: 'phone:+14155550170', name: 'Rita Moreno', channel, message: { body: 'Still there?' } })).body.outcome).toBe('continued');
    const identifies = async () => (await s.api('GET', `/api/v1/customers/${customerId}/timeline?type=identify`)).body.data.length;
    expect(await identifies()).toBe(1);
    await open(s, { identity: 'phone:+14155550170', name: 'Rita M.', channel, message: { body: 'New phone name' } });
    expect(await identifies()).toBe(2);
    expect((await s.api('GET', `/api/v1/customers/${customerId}`)).body.traits.name).toBe('Rita M.');
  });

  it('the same external id twice opens one moment; a message id twice is stored once', async () => {
    const channel = uniq('whatsapp');
    const first = await open(s, { identity: 'phone:+14155550101', channel, externalId: 'conv-1', message: { body: 'hi', externalId: 'wamid.1' } });
    const again = await open(s, { identity: 'phone:+14155550101', channel, externalId: 'conv-1', message: { body: 'hi', externalId: 'wamid.1' } });
    expect(first.status).toBe(201);
    expect(again.status).toBe(200);
    expect(again.body.outcome).toBe('duplicate');
    expect(again.body.moment.id).toBe(first.body.moment.id);
    const more = await open(s, { identity: 'phone:+14155550101', channel, externalId: 'conv-1', message: { body: 'anyone?', externalId: 'wamid.2' } });
    expect(more.body.outcome).toBe('continued');
    const thread = (await s.api('GET', `/api/v1/moments/${first.body.moment.id}/messages`)).body.data;
    expect(thread.map((x: any) => x.body)).toEqual(['hi', 'anyone?']);
  });

  it("a conversation id is one customer's: another customer giving it is refused, and reads nothing back", async () => {
    const channel = uniq('api');
    const thread = uniq('thread');
    const first = await open(s, { identity: 'email:victim@example.com', channel, externalId: thread, message: { body: 'my account number is 1234' } });
    expect(first.status).toBe(201);
    const other = await open(s, { identity: 'email:someone-else@example.com', channel, externalId: thread, message: { body: 'let me in' } });
    expect(other.status).toBe(409);
    expect(other.body.error).toMatchObject({ code: 'conflict', field: 'externalId' });
    expect(JSON.stringify(other.body)).not.toContain('1234');
    // Nothing of the refused call was kept: no message, no customer.
    expect((await s.api('GET', `/api/v1/moments/${first.body.moment.id}/messages`)).body.data).toHaveLength(1);
    expect((await s.api('GET', '/api/v1/customers?identity=email:someone-else@example.com')).body.data).toEqual([]);
    // The customer themself, under another of their identities, goes on in it.
    const phone = await s.track('/v1/identify', { userId: uniq('victim'), traits: { email: 'victim@example.com', phone: '+14155550123' } });
    expect(phone.status).toBe(200);
    const same = await open(s, { identity: 'phone:+14155550123', channel, externalId: thread, message: { body: 'me again' } });
    expect(same.body, JSON.stringify(same.body)).toMatchObject({ outcome: 'continued', moment: { id: first.body.moment.id } });
  });

  it('a provider conversation that goes on after its moment closed opens a new moment, which it then continues', async () => {
    const channel = uniq('api');
    const first = (await open(s, { identity: 'email:longrunning@example.com', channel, externalId: 'conv-long', message: { body: 'one', externalId: 'lr-1' } })).body.moment;
    await s.api('PATCH', `/api/v1/moments/${first.id}`, { status: 'resolved' });
    await s.api('PATCH', `/api/v1/moments/${first.id}`, { status: 'closed' });
    const again = await open(s, { identity: 'email:longrunning@example.com', channel, externalId: 'conv-long', message: { body: 'two', externalId: 'lr-2' } });
    expect(again.status).toBe(201);
    expect(again.body.moment).toMatchObject({ externalId: 'conv-long' });
    expect(again.body.moment.id).not.toBe(first.id);
    const more = await open(s, { identity: 'email:longrunning@example.com', channel, externalId: 'conv-long', message: { body: 'three', externalId: 'lr-3' } });
    expect(more.body).toMatchObject({ outcome: 'continued', moment: { id: again.body.moment.id } });
  });

  it('continues an open moment, reopens within the window after resolution, opens anew after it', async () => {
    const ana = await addAgent(s);
    const team = await addTeam(s, [ana]);
    const channel = uniq('email');
    await ruleFor(channel, team);
    const first = (await open(s, { identity: 'email:loyal@example.com', channel })).body.moment;
    const cont = await open(s, { identity: 'email:loyal@example.com', channel, message: { body: 'also this' } });
    expect(cont.body).toMatchObject({ outcome: 'continued', moment: { id: first.id, messageCount: 2 } });
    // Another channel is another moment.
    const other = await open(s, { identity: 'email:loyal@example.com', channel: uniq('sms') });
    expect(other.body.moment.id).not.toBe(first.id);

    expect((await s.api('PATCH', `/api/v1/moments/${first.id}`, { status: 'resolved' }, ana.token)).status).toBe(200);
    clock.set(clock.now() + 2 * HOUR);
    const reopened = await open(s, { identity: 'email:loyal@example.com', channel, message: { body: 'it broke again' } });
    expect(reopened.body).toMatchObject({ outcome: 'reopened', moment: { id: first.id, status: 'open', ownerId: ana.id } });

    expect((await s.api('PATCH', `/api/v1/moments/${first.id}`, { status: 'resolved' }, ana.token)).status).toBe(200);
    clock.set(clock.now() + 73 * HOUR);
    const fresh = await open(s, { identity: 'email:loyal@example.com', channel, message: { body: 'new problem' } });
    expect(fresh.body.outcome).toBe('opened');
    expect(fresh.body.moment.id).not.toBe(first.id);
    // The returning customer goes back to their previous owner, who is available.
    expect(fresh.body.moment.ownerId).toBe(ana.id);
    expect((await ledger(s, fresh.body.moment.id))[0]!.reason).toBe('returning_customer');
  });

  it('sends a returning customer back to the owner they had under a profile since merged into theirs', async () => {
    const ana = await addAgent(s);
    const bob = await addAgent(s);
    const team = await addTeam(s, [ana, bob], { strategy: 'round_robin' });
    const channel = uniq('sms');
    await ruleFor(channel, team);
    const email = `${uniq('merged')}@example.com`;
    const phone = '+14155550188';
    // The email profile is older: it survives the merge, and the phone profile's moment stays its own row.
    await open(s, { identity: `email:${email}`, channel: uniq('email') });
    const first = (await open(s, { identity: `phone:${phone}`, channel })).body.moment;
    const firstOwner = first.ownerId as string;
    expect((await s.api('PATCH', `/api/v1/moments/${first.id}`, { status: 'resolved' }, firstOwner === ana.id ? ana.token : bob.token)).status).toBe(200);
    const idOf = async (identity: string) => (await s.api('GET', `/api/v1/customers?identity=${encodeURIComponent(identity)}`)).body.data[0].id as string;
    const merged = await s.api('POST', '/api/v1/customers/merge', { ids: [await idOf(`email:${email}`), await idOf(`phone:${phone}`)], reason: 'same person' });
    expect(merged.status, JSON.stringify(merged.body)).toBe(200);
    clock.set(clock.now() + 100 * HOUR);

    // Round robin alone would pick the other agent now.
    const fresh = (await open(s, { identity: `email:${email}`, channel, message: { body: 'back again' } })).body.moment;
    expect(fresh.id).not.toBe(first.id);
    expect(fresh.ownerId).toBe(firstOwner);
    expect((await ledger(s, fresh.id))[0]!.reason).toBe('returning_customer');
  });

  it("an agent outside a moment's team reaches it through no documented operation", async () => {
    const ana = await addAgent(s);
    const bob = await addAgent(s);
    const anaTeam = await addTeam(s, [ana]);
    const bobTeam = await addTeam(s, [bob]);
    const channel = uniq('sms');
    await ruleFor(channel, bobTeam);
    await ruleFor(uniq('sms'), anaTeam);
    const opened = (await open(s, { identity: 'email:private@example.com', channel, message: { body: 'for the other team only', attachments: [{ fileName: 'private.txt', contentType: 'text/plain', data: Buffer.from('private').toString('base64') }] } })).body;
    const m = opened.moment;
    expect(m).toMatchObject({ ownerId: bob.id, teamId: bobTeam });
    expect((await s.api('GET', `/api/v1/attachments/${opened.message.attachments[0].id}`, undefined, ana.token)).status).toBe(404);
    expect((await s.api('GET', `/api/v1/attachments/${opened.message.attachments[0].id}`, undefined, bob.token)).status).toBe(200);
    const before = { moment: (await s.api('GET', `/api/v1/moments/${m.id}`)).body, thread: (await s.api('GET', `/api/v1/moments/${m.id}/messages`)).body };

    const spec = (await s.api('GET', '/api/docs')).body as OpenApi;
    const reached: string[] = [];
    for (const [path, operations] of Object.entries(spec.paths)) {
      if (!path.startsWith('/api/v1/moments/{id}')) continue;
      for (const [method, operation] of Object.entries(operations)) {
        const schema = resolve(spec, operation.requestBody?.content?.['application/json']?.schema);
        const res = await s.api(method.toUpperCase(), path.replace('{id}', m.id), schema ? sampleBody(spec, schema, ana.id) : undefined, ana.token);
        if (res.status < 400 || res.status >= 500) reached.push(`${method.toUpperCase()} ${path} → ${res.status} ${JSON.stringify(res.body).slice(0, 160)}`);
      }
    }
    expect(reached).toEqual([]);
    const listed = (await s.api('GET', `/api/v1/moments?customer=${m.customerId}&status=open,pending,snoozed,resolved,closed`, undefined, ana.token)).body.data;
    expect(listed).toEqual([]);
    // Nor by recording the customer's messages: not by repeating one, naming the conversation, or as the customer writing again.
    const thread = uniq('thread');
    const external = (await open(s, { identity: 'email:private2@example.com', channel, externalId: thread, message: { body: 'a thread of theirs', externalId: uniq('msg') } })).body;
    expect(external.moment).toMatchObject({ teamId: bobTeam, externalId: thread });
    for (const [body, field] of [
      [{ identity: 'email:private2@example.com', channel, message: { body: 'the same message', externalId: external.message.externalId } }, 'message.externalId'],
      [{ identity: 'email:private2@example.com', channel, externalId: thread, message: { body: 'in their thread' } }, 'externalId'],
      [{ identity: 'email:private@example.com', channel, message: { body: 'writing again' } }, 'identity'],
      [{ customerId: m.customerId, channel, message: { body: 'writing again' } }, 'customerId'],
    ] as const) {
      const res = await s.api('POST', '/api/v1/moments', body, ana.token);
      expect(res.status, JSON.stringify(res.body)).toBe(409);
      expect(res.body.error).toMatchObject({ code: 'conflict', field });
      expect(JSON.stringify(res.body)).not.toContain('for the other team only');
    }
    expect((await s.api('GET', `/api/v1/moments/${m.id}/messages`)).body.data.map((x: { body: string }) => x.body)).toEqual(['for the other team only']);
    expect((await s.api('GET', `/api/v1/moments/${external.moment.id}/messages`)).body.data.map((x: { body: string }) => x.body)).toEqual(['a thread of theirs']);
    expect({ moment: (await s.api('GET', `/api/v1/moments/${m.id}`)).body, thread: (await s.api('GET', `/api/v1/moments/${m.id}/messages`)).body }).toEqual(before);
  });

  it('an agent who becomes an analyst hands their moments back; a fallback owner or lead cannot become one', async () => {
    const ana = await addAgent(s, { capacity: { '*': 100 } });
    const ben = await addAgent(s, { capacity: { '*': 100 } });
    const lead = await addAgent(s, { capacity: { '*': 100 }, online: false });
    const team = await addTeam(s, [ana, ben], { fallbackOwnerId: lead.id, leadId: lead.id });
    const channel = uniq('email');
    await ruleFor(channel, team);
    const opened = [];
    for (let i = 0; i < 4; i++) opened.push((await open(s, { identity: `email:demoted-${i}@example.com`, channel })).body.moment);
    const anas = opened.filter((m) => m.ownerId === ana.id);
    expect(anas.length).toBeGreaterThan(0);
    // One outside any team too, assigned by hand.
    const loose = (await open(s, { identity: 'email:demoted-loose@example.com', channel: uniq('email') })).body.moment;
    expect((await s.api('POST', `/api/v1/moments/${loose.id}/assign`, { agentId: ana.id, teamId: null })).status).toBe(200);
    // And one that Ben is handing to her.
    const bens = opened.find((m) => m.ownerId === ben.id)!;
    expect((await s.api('POST', `/api/v1/moments/${bens.id}/handoff`, { toAgentId: ana.id, reason: 'she knows this customer' }, ben.token)).status).toBe(200);

    const demoted = await s.api('PATCH', `/api/v1/agents/${ana.id}`, { role: 'analyst' });
    expect(demoted.status, JSON.stringify(demoted.body)).toBe(200);
    for (const m of anas) {
      const now = (await s.api('GET', `/api/v1/moments/${m.id}`)).body;
      expect(now.ownerId).toBe(ben.id);
      expect((await ledger(s, m.id)).at(-1)).toMatchObject({ ownerId: ben.id, reason: 'read_only', note: 'the owner became an analyst' });
    }
    expect((await s.api('GET', `/api/v1/moments/${loose.id}`)).body).toMatchObject({ ownerId: s.workspace.ownerId, teamId: null });
    const stillAnas = (await s.api('GET', `/api/v1/moments?owner=${ana.id}&status=open,pending,snoozed`)).body.data;
    expect(stillAnas).toEqual([]);
    // The hand-off waiting for her is withdrawn: Ben keeps the moment, and hears why.
    expect((await s.api('GET', `/api/v1/moments/${bens.id}`)).body).toMatchObject({ ownerId: ben.id, handoff: null });
    const withdrawn = await s.tp.deps.db.selectFrom('moment_activity').select('payload').where('workspace_id', '=', s.workspace.workspaceId).where('moment_id', '=', bens.id).where('type', '=', 'handoff.declined').execute();
    expect(withdrawn.map((a) => JSON.parse(a.payload).reason)).toEqual(['the receiver became an analyst']);

    for (const person of [lead]) {
      const refused = await s.api('PATCH', `/api/v1/agents/${person.id}`, { role: 'analyst' });
      expect(refused.body.error).toMatchObject({ code: 'conflict', field: 'role' });
    }
    expect((await s.api('GET', `/api/v1/agents/${lead.id}`)).body.role).toBe('agent');

    // Named fallback owner while turning analyst, at the same instant: never both.
    for (let i = 0; i < 5; i++) {
      const x = await addAgent(s, { capacity: { '*': 100 } });
      const t = await addTeam(s, [ben]);
      const [named, demotedX] = await Promise.all([
        s.api('PATCH', `/api/v1/teams/${t}`, { fallbackOwnerId: x.id, leadId: x.id }),
        s.api('PATCH', `/api/v1/agents/${x.id}`, { role: 'analyst' }),
      ]);
      expect([named.status, demotedX.status], JSON.stringify([named.body, demotedX.body])).not.toEqual([200, 200]);
    }
  });

  it('follows the documented status transitions and refuses the others', async () => {
    const ana = await addAgent(s);
    const team = await addTeam(s, [ana]);
    const channel = uniq('chat');
    await ruleFor(channel, team);
    const m = (await open(s, { identity: 'email:transitions@example.com', channel })).body.moment;
    const patch = (body: object) => s.api('PATCH', `/api/v1/moments/${m.id}`, body, ana.token);
    expect((await patch({ status: 'closed' })).body.error).toMatchObject({ code: 'invalid_transition', field: 'status' });
    expect((await patch({ status: 'snoozed' })).body.error).toMatchObject({ code: 'missing_field', field: 'snoozedUntil' });
    expect((await patch({ status: 'snoozed', snoozedUntil: new Date(clock.now() - 1000).toISOString() })).body.error.field).toBe('snoozedUntil');
    expect((await patch({ status: 'snoozed', snoozedUntil: new Date(clock.now() + HOUR).toISOString() })).body.status).toBe('snoozed');
    expect((await patch({ status: 'pending' })).body.status).toBe('pending');
    // The customer writing wakes it.
    await s.api('POST', `/api/v1/moments/${m.id}/messages`, { direction: 'in', body: 'any news?' });
    expect((await s.api('GET', `/api/v1/moments/${m.id}`)).body.status).toBe('open');
    expect((await patch({ status: 'resolved' })).body.status).toBe('resolved');
    expect((await patch({ status: 'closed' })).body.status).toBe('closed');
    expect((await patch({ status: 'open' })).body.error.code).toBe('invalid_transition');
    expect((await patch({ priority: 'urgent' })).status).toBe(200);

    // The customer writing on the closed one continues what is active on the channel, as a new
    // message from them would; on a merged-away one, the moment it went into.
    const next = (await open(s, { identity: 'email:transitions@example.com', channel })).body.moment;
    expect(next.id).not.toBe(m.id);
    const late = await s.api('POST', `/api/v1/moments/${m.id}/messages`, { direction: 'in', body: 'about the closed one' });
    expect(late.body.moment.id).toBe(next.id);
    const duplicate = (await open(s, { identity: 'email:transitions@example.com', channel: uniq('chat') })).body.moment;
    expect((await s.api('POST', `/api/v1/moments/${next.id}/merge`, { duplicateId: duplicate.id })).status).toBe(200);
    const onMerged = await s.api('POST', `/api/v1/moments/${duplicate.id}/messages`, { direction: 'in', body: 'to the merged one' });
    expect(onMerged.body.moment.id).toBe(next.id);
    const active = (await s.api('GET', `/api/v1/moments?customer=${next.customerId}`)).body.data;
    expect(active.map((x: { id: string }) => x.id)).toEqual([next.id]);
  });

  it('only the owner replies; others get 409 not_owner until they take over, which the ledger records', async () => {
    const ana = await addAgent(s);
    const ben = await addAgent(s);
    const team = await addTeam(s, [ana, ben], { strategy: 'round_robin' });
    const channel = uniq('chat');
    await ruleFor(channel, team);
    const m = (await open(s, { identity: 'email:reply@example.com', channel })).body.moment;
    const owner = m.ownerId === ana.id ? ana : ben;
    const other = owner === ana ? ben : ana;
    const refused = await s.api('POST', `/api/v1/moments/${m.id}/messages`, { direction: 'out', body: 'Hi from the wrong person' }, other.token);
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe('not_owner');
    const note = await s.api('POST', `/api/v1/moments/${m.id}/messages`, { direction: 'note', body: `@owner can I take this?`, mentions: [owner.id] }, other.token);
    expect(note.status).toBe(201);
    // Someone who may not open the moment is not told of it (the mention would carry its text).
    const stranger = await addAgent(s, { name: 'Stranger' });
    const leak = await s.api('POST', `/api/v1/moments/${m.id}/messages`, { direction: 'note', body: '@stranger look', mentions: [stranger.id] }, other.token);
    expect([leak.status, leak.body.error?.field, leak.body.error?.message]).toEqual([400, 'mentions', expect.stringContaining('Stranger cannot see this moment')]);
    const took = await s.api('POST', `/api/v1/moments/${m.id}/take-over`, { note: 'I know this customer' }, other.token);
    expect(took.body.ownerId).toBe(other.id);
    const reply = await s.api('POST', `/api/v1/moments/${m.id}/messages`, { direction: 'out', body: 'On it!' }, other.token);
    expect(reply.status).toBe(201);
    expect(reply.body.message).toMatchObject({ direction: 'out', authorId: other.id, delivery: 'queued' });
    expect(reply.body.moment.firstResponseAt).not.toBeNull();
    const history = await ledger(s, m.id);
    expect(history.map((h) => h.reason)).toEqual([expect.any(String), 'take_over']);
    expect(history[0]!.to).toBe(history[1]!.from);
    expect(history[1]).toMatchObject({ ownerId: other.id, note: 'I know this customer', to: null });

    // An admin key acting for someone names one of the workspace's people who can own it.
    const analyst = await addAgent(s, { role: 'analyst', online: false });
    for (const [agentId, code] of [['01a21a10-0000-7000-8000-000000000000', 'invalid_field'], [analyst.id, 'invalid_field']] as const) {
      for (const [route, body] of [['take-over', { agentId }], ['messages', { direction: 'out', body: 'As nobody', agentId }]] as const) {
        const res = await s.api('POST', `/api/v1/moments/${m.id}/${route}`, body);
        expect(res.status, JSON.stringify(res.body)).toBeGreaterThanOrEqual(400);
        expect(res.body.error).toMatchObject({ code, field: 'agentId' });
      }
    }
    // Nor can an admin assign, or anyone hand off, to someone who cannot answer.
    const assigned = await s.api('POST', `/api/v1/moments/${m.id}/assign`, { agentId: analyst.id });
    expect(assigned.body.error).toMatchObject({ code: 'invalid_field', field: 'agentId' });
    const handedOff = await s.api('POST', `/api/v1/moments/${m.id}/handoff`, { toAgentId: analyst.id, reason: 'ask the analyst' }, other.token);
    expect(handedOff.body.error).toMatchObject({ code: 'invalid_field', field: 'toAgentId' });
    // And routing never picks an analyst, even one an admin marks online in a team of their own.
    expect((await s.api('PUT', `/api/v1/agents/${analyst.id}/presence`, { presence: 'online' })).status).toBe(200);
    const analystTeam = await addTeam(s, [analyst], { fallbackOwnerId: other.id });
    const analystChannel = uniq('chat');
    await ruleFor(analystChannel, analystTeam);
    const routed = (await open(s, { identity: 'email:routed-past-the-analyst@example.com', channel: analystChannel })).body.moment;
    expect(routed).toMatchObject({ ownerId: other.id, queued: true });
    expect((await s.api('GET', `/api/v1/moments/${m.id}`)).body.ownerId).toBe(other.id);

    // Assigning to the owner it already has still checks, and makes, the team change asked for.
    const unknownTeam = await s.api('POST', `/api/v1/moments/${m.id}/assign`, { agentId: other.id, teamId: '01a21a10-0000-7000-8000-000000000000' });
    expect(unknownTeam.body.error).toMatchObject({ field: 'teamId' });
    const moved = await s.api('POST', `/api/v1/moments/${m.id}/assign`, { agentId: other.id, teamId: analystTeam });
    expect(moved.body).toMatchObject({ ownerId: other.id, teamId: analystTeam });
    // And a subject is never blank.
    const blank = await s.api('PATCH', `/api/v1/moments/${m.id}`, { subject: '   ' }, other.token);
    expect([blank.status, blank.body.error?.field]).toEqual([400, 'subject']);
    expect((await s.api('PATCH', `/api/v1/moments/${m.id}`, { subject: '  Refund  ' }, other.token)).body.subject).toBe('Refund');
  });

  it('round-robin takes turns; least-loaded picks the lightest; capacity is never exceeded by routing', async () => {
    const a = await addAgent(s, { capacity: { '*': 2 } });
    const b = await addAgent(s, { capacity: { '*': 2 } });
    const rr = await addTeam(s, [a, b], { strategy: 'round_robin' });
    const channel = uniq('chat');
    await ruleFor(channel, rr);
    const owners: string[] = [];
    for (let i = 0; i < 4; i++) owners.push((await open(s, { identity: `email:rr${i}@example.com`, channel })).body.moment.ownerId);
    expect(owners.filter((o) => o === a.id)).toHaveLength(2);
    expect(owners.filter((o) => o === b.id)).toHaveLength(2);
    expect(owners[0]).not.toBe(owners[1]);
    // Both full: the fifth waits, held by the workspace owner (the team has no fallback).
    const fifth = (await open(s, { identity: 'email:rr5@example.com', channel })).body.moment;
    expect(fifth).toMatchObject({ queued: true, ownerId: s.workspace.ownerId, teamId: rr });
    expect((await ledger(s, fifth.id))[0]!.reason).toBe('fallback');

    const c = await addAgent(s, { capacity: { '*': 5 } });
    const d = await addAgent(s, { capacity: { '*': 5 } });
    const ll = await addTeam(s, [c, d], { strategy: 'least_loaded' });
    const ch2 = uniq('chat');
    await ruleFor(ch2, ll);
    const first = (await open(s, { identity: 'email:ll1@example.com', channel: ch2 })).body.moment;
    const second = (await open(s, { identity: 'email:ll2@example.com', channel: ch2 })).body.moment;
    expect(second.ownerId).not.toBe(first.ownerId);
    await s.api('PATCH', `/api/v1/moments/${first.id}`, { status: 'resolved' }, first.ownerId === c.id ? c.token : d.token);
    const third = (await open(s, { identity: 'email:ll3@example.com', channel: ch2 })).body.moment;
    expect(third.ownerId).toBe(first.ownerId);
  });

  it('waiting moments go first-in-first-out to whoever frees capacity or comes online; offline hands moments back', async () => {
    const lead = await addAgent(s, { online: false });
    const a = await addAgent(s, { capacity: { '*': 1 } });
    const b = await addAgent(s, { capacity: { '*': 1 }, online: false });
    const team = await addTeam(s, [a, b], { fallbackOwnerId: lead.id });
    const channel = uniq('chat');
    await ruleFor(channel, team);
    const m1 = (await open(s, { identity: 'email:q1@example.com', channel })).body.moment;
    expect(m1.ownerId).toBe(a.id);
    const waiting = [];
    for (let i = 2; i <= 4; i++) {
      clock.set(clock.now() + 1000);
      waiting.push((await open(s, { identity: `email:q${i}@example.com`, channel })).body.moment);
    }
    for (const w of waiting) expect(w).toMatchObject({ queued: true, ownerId: lead.id });
    // b comes online: takes the oldest waiting one.
    await setPresence(s, b, 'online');
    expect((await s.api('GET', `/api/v1/moments/${waiting[0].id}`)).body).toMatchObject({ ownerId: b.id, queued: false });
    expect((await ledger(s, waiting[0].id)).at(-1)!.reason).toBe('came_online');
    // a resolves: takes the next.
    await s.api('PATCH', `/api/v1/moments/${m1.id}`, { status: 'resolved' }, a.token);
    expect((await s.api('GET', `/api/v1/moments/${waiting[1].id}`)).body).toMatchObject({ ownerId: a.id, queued: false });
    expect((await s.api('GET', `/api/v1/moments/${waiting[2].id}`)).body).toMatchObject({ ownerId: lead.id, queued: true });
    // b goes offline: their moment goes back to the team; nobody has room, so the fallback holds it in line.
    await setPresence(s, b, 'offline');
    const back = (await s.api('GET', `/api/v1/moments/${waiting[0].id}`)).body;
    expect(back).toMatchObject({ ownerId: lead.id, queued: true });
    const reasons = (await ledger(s, waiting[0].id)).map((h) => h.reason);
    expect(reasons).toEqual(['fallback', 'came_online', 'fallback']);
  });

  it('an agent going offline hands back every moment they own, however many, and answers how many', async () => {
    const a = await addAgent(s, { capacity: { '*': 100 } });
    const b = await addAgent(s, { capacity: { '*': 100 }, online: false });
    const team = await addTeam(s, [a, b]);
    const channel = uniq('chat');
    await ruleFor(channel, team);
    // More than one transaction's worth: they go back a few at a time.
    const owned = [];
    for (let i = 0; i < 25; i++) owned.push((await open(s, { identity: `email:shift-end-${i}@example.com`, channel })).body.moment);
    expect(owned.every((m) => m.ownerId === a.id)).toBe(true);
    await setPresence(s, b, 'online');
    const res = await s.api('PUT', `/api/v1/agents/${a.id}/presence`, { presence: 'offline' }, a.token);
    expect(res.body).toEqual({ presence: 'offline', moved: 25 });
    for (const m of owned) {
      expect((await s.api('GET', `/api/v1/moments/${m.id}`)).body.ownerId).toBe(b.id);
      expect((await ledger(s, m.id)).map((h) => h.reason).at(-1)).toBe('agent_offline');
    }
  });

  it("an agent reads on a customer's timeline that other teams' moments happened, not their words", async () => {
    const inTeam = await addAgent(s);
    const outsider = await addAgent(s);
    const team = await addTeam(s, [inTeam]);
    const channel = uniq('chat');
    await ruleFor(channel, team);
    const m = (await open(s, { identity: 'email:private-words@example.com', channel, subject: 'Divorce paperwork', message: { body: 'Please send the papers to my new address' } })).body.moment;
    await s.tp.worker.drain();
    const lines = async (token?: string) => {
      const res = await s.api('GET', `/api/v1/customers/${m.customerId}/timeline`, undefined, token);
      expect(res.status).toBe(200);
      return (res.body.data as { name: string; properties: Record<string, unknown> }[]).filter((t) => t.properties.momentId === m.id);
    };
    const theirs = await lines(inTeam.token);
    expect(theirs.map((t) => [t.name, t.properties.subject ?? t.properties.preview])).toEqual([['Message Received', 'Please send the papers to my new address'], ['Moment Opened', 'Divorce paperwork']]);
    const outside = await lines(outsider.token);
    expect(outside.map((t) => t.name)).toEqual(['Message Received', 'Moment Opened']);
    expect(JSON.stringify(outside)).not.toMatch(/Divorce|papers/);
    expect(JSON.stringify(await lines())).toContain('Divorce paperwork');
  });

  it('moments a stopped process had not handed back yet go back with the next sweep', async () => {
    const a = await addAgent(s, { capacity: { '*': 100 } });
    const b = await addAgent(s, { capacity: { '*': 100 } });
    const team = await addTeam(s, [a, b], { strategy: 'least_loaded' });
    const channel = uniq('chat');
    await ruleFor(channel, team);
    await setPresence(s, b, 'offline');
    const owned = [];
    for (let i = 0; i < 12; i++) owned.push((await open(s, { identity: `email:killed-mid-shift-${i}@example.com`, channel })).body.moment);
    expect(owned.every((m) => m.ownerId === a.id)).toBe(true);
    await setPresence(s, b, 'online');
    // What a process killed right after the first transaction of "a goes offline" leaves: offline, still owning them.
    await s.tp.deps.db.updateTable('agent').set({ presence: 'offline' }).where('id', '=', a.id).execute();
    expect(await sweepMoments({ deps: s.tp.deps, settings: s.tp.settings, publish: s.tp.stream.publish })).toMatchObject({ handedBack: 12 });
    for (const m of owned) {
      expect((await s.api('GET', `/api/v1/moments/${m.id}`)).body.ownerId).toBe(b.id);
      expect((await ledger(s, m.id)).map((h) => h.reason).at(-1)).toBe('agent_offline');
    }
    expect(await sweepMoments({ deps: s.tp.deps, settings: s.tp.settings, publish: s.tp.stream.publish })).toMatchObject({ handedBack: 0 });
  });

  it('a member leaving the team hands their moments to the others; a new member or more capacity takes from the line', async () => {
    const a = await addAgent(s, { capacity: { '*': 1 } });
    const b = await addAgent(s, { capacity: { '*': 1 } });
    const team = await addTeam(s, [a, b], { strategy: 'least_loaded' });
    const channel = uniq('chat');
    await ruleFor(channel, team);
    const m1 = (await open(s, { identity: 'email:leave1@example.com', channel })).body.moment;
    const m2 = (await open(s, { identity: 'email:leave2@example.com', channel })).body.moment;
    const mA = m1.ownerId === a.id ? m1 : m2;
    const waiting = (await open(s, { identity: 'email:leave3@example.com', channel })).body.moment;
    expect(waiting.queued).toBe(true);
    clock.set(clock.now() + 1000);
    // a leaves: their moment cannot go to b (full), so it waits too, behind the first.
    expect((await s.api('PUT', `/api/v1/teams/${team}/members`, { agentIds: [b.id] })).status).toBe(200);
    const moved = (await s.api('GET', `/api/v1/moments/${mA.id}`)).body;
    expect(moved).toMatchObject({ queued: true, ownerId: s.workspace.ownerId });
    expect((await ledger(s, mA.id)).at(-1)!.reason).toBe('fallback');
    // b gets more room: takes the oldest waiting one first.
    expect((await s.api('PATCH', `/api/v1/agents/${b.id}`, { capacity: { '*': 2 } })).status).toBe(200);
    expect((await s.api('GET', `/api/v1/moments/${waiting.id}`)).body).toMatchObject({ ownerId: b.id, queued: false });
    // A newcomer joins: takes the next.
    const c = await addAgent(s, { capacity: { '*': 3 } });
    expect((await s.api('PUT', `/api/v1/teams/${team}/members`, { agentIds: [b.id, c.id] })).status).toBe(200);
    expect((await s.api('GET', `/api/v1/moments/${mA.id}`)).body).toMatchObject({ ownerId: c.id, queued: false });
  });

  it("a moment that asks for skills waits in line for someone who has them", async () => {
    const expert = await addAgent(s, { skills: ['vip'], capacity: { '*': 1 } });
    const novice = await addAgent(s, { capacity: { '*': 5 }, online: false });
    const team = await addTeam(s, [expert, novice], { strategy: 'skills' });
    const channel = uniq('chat');
    await ruleFor(channel, team, { requiredSkills: ['vip'] });
    const first = (await open(s, { identity: 'email:vip1@example.com', channel })).body.moment;
    expect(first.ownerId).toBe(expert.id);
    const second = (await open(s, { identity: 'email:vip2@example.com', channel })).body.moment;
    expect(second.queued).toBe(true);
    // Someone without the skill coming online does not take it.
    await setPresence(s, novice, 'online');
    expect((await s.api('GET', `/api/v1/moments/${second.id}`)).body.queued).toBe(true);
    // The expert frees a place: it is theirs.
    await s.api('PATCH', `/api/v1/moments/${first.id}`, { status: 'resolved' }, expert.token);
    expect((await s.api('GET', `/api/v1/moments/${second.id}`)).body).toMatchObject({ ownerId: expert.id, queued: false });
  });

  it('hand-off: the sender owns it until the receiver accepts; the ledger says why', async () => {
    const sales = await addAgent(s);
    const service = await addAgent(s);
    const salesTeam = await addTeam(s, [sales]);
    const serviceTeam = await addTeam(s, [service]);
    const channel = uniq('email');
    await ruleFor(channel, salesTeam);
    const m = (await open(s, { identity: 'email:billing@example.com', channel })).body.moment;
    expect(m.ownerId).toBe(sales.id);
    // The receiver cannot see it before the hand-off.
    expect((await s.api('GET', `/api/v1/moments/${m.id}`, undefined, service.token)).status).toBe(404);
    const handed = await s.api('POST', `/api/v1/moments/${m.id}/handoff`, { toTeamId: serviceTeam, reason: 'billing question', note: 'Card charged twice on 28 May' }, sales.token);
    expect(handed.status).toBe(200);
    expect(handed.body).toMatchObject({ ownerId: sales.id, handoff: { toTeamId: serviceTeam, reason: 'billing question' } });
    expect((await s.api('POST', `/api/v1/moments/${m.id}/handoff`, { toTeamId: serviceTeam, reason: 'x' }, service.token)).body.error.code).toBe('not_owner');
    const accepted = await s.api('POST', `/api/v1/moments/${m.id}/handoff/accept`, {}, service.token);
    expect(accepted.body).toMatchObject({ ownerId: service.id, teamId: serviceTeam, handoff: null });
    const history = await ledger(s, m.id);
    expect(history.at(-1)).toMatchObject({ ownerId: service.id, reason: 'acceptance', note: 'billing question — Card charged twice on 28 May' });
    expect((await s.api('POST', `/api/v1/moments/${m.id}/handoff/accept`, {}, service.token)).body.error.code).toBe('no_handoff');
  });

  it('a second hand-off while one waits is refused, naming it; the sender withdraws it first and its receiver hears', async () => {
    const sales = await addAgent(s, { name: 'Sam Sales' });
    const ana = await addAgent(s, { name: 'Ana Billing' });
    const ben = await addAgent(s, { name: 'Ben Billing' });
    const salesTeam = await addTeam(s, [sales]);
    const billing = await addTeam(s, [ana, ben]);
    const channel = uniq('email');
    await ruleFor(channel, salesTeam);
    const m = (await open(s, { identity: 'email:handed-twice@example.com', channel })).body.moment;
    expect((await s.api('POST', `/api/v1/moments/${m.id}/handoff`, { toAgentId: ana.id, toTeamId: billing, reason: 'refund question' }, sales.token)).status).toBe(200);

    const again = await s.api('POST', `/api/v1/moments/${m.id}/handoff`, { toAgentId: ben.id, reason: 'Ben is free' }, sales.token);
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('handoff_waiting');
    expect(again.body.error.message).toContain(`Ana Billing (${ana.id})`);
    expect(again.body.error.message).toContain('refund question');
    expect(again.body.error.message).toContain(`/moments/${m.id}/handoff/decline`);
    // Nothing changed: Ana still has it waiting for her answer, Ben has nothing.
    expect((await s.api('GET', `/api/v1/moments/${m.id}`)).body.handoff).toMatchObject({ toAgentId: ana.id, reason: 'refund question' });
    const waitingFor = async (p: { token: string }) => (await s.api('GET', '/api/v1/moments?handoff=me', undefined, p.token)).body.data.map((x: { id: string }) => x.id);
    expect(await waitingFor(ana)).toContain(m.id);
    expect(await waitingFor(ben)).not.toContain(m.id);
    // An admin is refused the same way.
    expect((await s.api('POST', `/api/v1/moments/${m.id}/handoff`, { toTeamId: billing, reason: 'anyone' })).body.error.code).toBe('handoff_waiting');

    // The sender withdraws it: Ana is told, with the reason, and it leaves her Hand-offs.
    const withdrawn = await s.api('POST', `/api/v1/moments/${m.id}/handoff/decline`, { reason: 'Ben is free sooner' }, sales.token);
    expect(withdrawn.body).toMatchObject({ ownerId: sales.id, handoff: null });
    expect(await waitingFor(ana)).not.toContain(m.id);
    const told = await s.tp.deps.db.selectFrom('moment_activity').select(['payload', 'audience']).where('workspace_id', '=', s.workspace.workspaceId).where('moment_id', '=', m.id).where('type', '=', 'handoff.declined').execute();
    expect(told.map((a) => JSON.parse(a.payload))).toEqual([expect.objectContaining({ reason: 'Ben is free sooner', handoff: expect.objectContaining({ toAgentId: ana.id }) })]);
    expect(JSON.parse(told[0]!.audience).agents).toContain(ana.id);

    // Then the new hand-off goes through.
    const second = await s.api('POST', `/api/v1/moments/${m.id}/handoff`, { toAgentId: ben.id, reason: 'Ben is free' }, sales.token);
    expect(second.body).toMatchObject({ ownerId: sales.id, handoff: { toAgentId: ben.id, reason: 'Ben is free' } });
    expect(await waitingFor(ben)).toContain(m.id);
  });

  it('escalates to the team lead, raising the priority', async () => {
    const lead = await addAgent(s);
    const ana = await addAgent(s);
    const team = await addTeam(s, [ana, lead], { leadId: lead.id });
    const channel = uniq('voice');
    await ruleFor(channel, team);
    const m = (await open(s, { identity: 'email:angry@example.com', channel })).body.moment;
    const owner = m.ownerId === ana.id ? ana : lead;
    if (owner === lead) await s.api('POST', `/api/v1/moments/${m.id}/take-over`, {}, ana.token);
    const up = await s.api('POST', `/api/v1/moments/${m.id}/escalate`, { reason: 'threatens to leave', raisePriority: true }, ana.token);
    expect(up.body).toMatchObject({ ownerId: lead.id, priority: 'high' });
    expect((await ledger(s, m.id)).at(-1)).toMatchObject({ reason: 'escalation', note: 'threatens to leave' });
  });

  it('a burst of messages from a new customer makes one customer and one moment', async () => {
    const channel = uniq('sms');
    const send = (k: number) => open(s, { identity: 'phone:+14155550177', channel, message: { body: `part ${k}`, externalId: `burst-${k}` } });
    const results = await Promise.all([send(1), send(2)]);
    expect(new Set(results.map((r) => r.body.moment.id)).size).toBe(1);
    expect(results.map((r) => r.body.outcome).sort()).toEqual(['continued', 'opened']);
    const customers = (await s.api('GET', `/api/v1/customers?identity=${encodeURIComponent('phone:+14155550177')}`)).body.data;
    expect(customers).toHaveLength(1);
  });

  it('keeps a moment’s tags through open, change and merge, in every view and in the tag filter', async () => {
    const channel = uniq('email');
    const tagged = (tag: string) => s.api('GET', `/api/v1/moments?tag=${tag}&status=open,closed`).then((r) => r.body.data.map((m: { id: string }) => m.id));
    const a = (await open(s, { identity: 'email:tagged@example.com', channel, externalId: 'thread-a', tags: ['Receipts', ' billing ', 'receipts'], message: { body: 'receipt attached' } })).body.moment;
    expect(a.tags).toEqual(['billing', 'receipts']);
    const b = (await open(s, { identity: 'email:tagged@example.com', channel: `${channel}-web`, tags: ['refund', 'billing'], message: { body: 'sent twice' } })).body.moment;

    const changed = await s.api('PATCH', `/api/v1/moments/${a.id}`, { tags: ['VIP', 'billing'] });
    expect(changed.body.tags).toEqual(['billing', 'vip']);
    expect(await tagged('receipts')).not.toContain(a.id);
    expect(await tagged('vip')).toContain(a.id);
    // The filter takes a tag as it was typed.
    expect(await tagged('%20VIP')).toContain(a.id);
    // The live stream names what a change changed, and only that.
    await s.api('PATCH', `/api/v1/moments/${a.id}`, { priority: 'high', tags: ['billing', 'vip'], subject: 'receipt attached' });
    const updates = await s.tp.deps.db.selectFrom('moment_activity').select('payload').where('workspace_id', '=', s.workspace.workspaceId).where('moment_id', '=', a.id).where('type', '=', 'moment.updated').orderBy('seq').execute();
    expect(updates.map((u) => JSON.parse(u.payload).changed)).toEqual([['tags'], ['priority']]);

    const merged = await s.api('POST', `/api/v1/moments/${a.id}/merge`, { duplicateId: b.id });
    expect(merged.body.tags).toEqual(['billing', 'refund', 'vip']);
    expect((await s.api('GET', `/api/v1/moments/${a.id}`)).body.tags).toEqual(['billing', 'refund', 'vip']);
    expect(await tagged('refund')).toEqual(expect.arrayContaining([a.id, b.id]));
    const page = (await s.api('GET', `/api/v1/moments?customer=${a.customerId}&status=open,closed`)).body.data;
    expect(Object.fromEntries(page.map((m: { id: string; tags: string[] }) => [m.id, m.tags]))).toEqual({ [a.id]: ['billing', 'refund', 'vip'], [b.id]: ['billing', 'refund'] });
  });

  it('keeps attachments, merges duplicates, and refuses bad input with the field named', async () => {
    const ana = await addAgent(s);
    const team = await addTeam(s, [ana]);
    const channel = uniq('email');
    await ruleFor(channel, team);
    const file = Buffer.from('%PDF-1.4 receipt');
    const a = (await open(s, { identity: 'email:dupe@example.com', channel, externalId: 'thread-a', message: { body: 'receipt attached', attachments: [{ fileName: 'receipt.pdf', contentType: 'application/pdf', data: file.toString('base64') }] } })).body.moment;
    // The same customer wrote on another channel about the same thing, a little later.
    clock.set(clock.now() + 60_000);
    const b = (await open(s, { identity: 'email:dupe@example.com', channel: `${channel}-web`, message: { body: 'sent twice' } })).body.moment;
    expect(b.id).not.toBe(a.id);
    const thread = (await s.api('GET', `/api/v1/moments/${a.id}/messages`)).body.data;
    const att = thread[0].attachments[0];
    expect(att).toMatchObject({ fileName: 'receipt.pdf', size: file.length });
    const download = await fetch(`${s.url}/api/v1/attachments/${att.id}`, { headers: { authorization: `Bearer ${s.workspace.apiKey}` } });
    expect(Buffer.from(await download.arrayBuffer())).toEqual(file);

    // ana cannot see b (it is in no team of hers): an admin merges.
    expect((await s.api('POST', `/api/v1/moments/${a.id}/merge`, { duplicateId: b.id }, ana.token)).body.error.code).toBe('moment_not_found');
    const merged = await s.api('POST', `/api/v1/moments/${a.id}/merge`, { duplicateId: b.id });
    expect(merged.status, JSON.stringify(merged.body)).toBe(200);
    expect(merged.body.messageCount).toBe(2);
    // Its row shows the latest message, which came to the duplicate.
    expect(merged.body.preview).toBe('sent twice');
    expect((await s.api('GET', `/api/v1/moments/${b.id}`)).body).toMatchObject({ status: 'closed', mergedInto: a.id });

    const big = Buffer.alloc(5 * 1024 * 1024 + 1).toString('base64');
    expect((await open(s, { identity: 'email:big@example.com', channel, message: { body: 'x', attachments: [{ fileName: 'big.bin', contentType: 'application/octet-stream', data: big }] } })).status).toBe(413);
    expect((await s.api('GET', '/api/v1/customers?identity=email:big@example.com')).body.data).toHaveLength(0);
    const bad = [
      [{ channel }, 'customerId'],
      [{ identity: 'email:x@example.com', channel: 'Bad Channel!' }, 'channel'],
      [{ identity: 'nonsense', channel }, 'identity'],
      [{ identity: 'email:x@example.com', channel, priority: 'asap' }, 'priority'],
      [{ customerId: 'nope', channel }, 'customerId'],
    ] as const;
    for (const [body, field] of bad) {
      const res = await open(s, body as Record<string, unknown>);
      expect(res.status, JSON.stringify(res.body)).toBeGreaterThanOrEqual(400);
      expect(res.status).toBeLessThan(500);
      expect(res.body.error.field).toBe(field);
    }
    expect((await s.api('POST', `/api/v1/moments/${a.id}/messages`, { direction: 'sideways', body: 'x' })).body.error.field).toBe('direction');
  });

  it('lists the moments of merged profiles under the customer they became', async () => {
    const channel = uniq('chat');
    const a = (await open(s, { identity: 'email:merge-a@example.com', channel })).body.moment;
    const b = (await open(s, { identity: 'email:merge-b@example.com', channel: `${channel}-x` })).body.moment;
    const merged = await s.api('POST', '/api/v1/customers/merge', { ids: [a.customerId, b.customerId], reason: 'same person' });
    expect(merged.status, JSON.stringify(merged.body)).toBe(200);
    for (const id of [a.customerId, b.customerId]) {
      const listed = (await s.api('GET', `/api/v1/moments?customer=${id}`)).body.data.map((m: any) => m.id).sort();
      expect(listed).toEqual([a.id, b.id].sort());
    }
    // An inbox names each moment's customer as they are now: the absorbed profile answers with the survivor.
    const survivor = merged.body.survivorId;
    const named = (await s.api('GET', `/api/v1/moments?customer=${a.customerId}&include=customers`)).body;
    // (Both emails were gained at the same instant of the fixed clock: either may count as the latest.)
    expect(named.customers[a.customerId]).toEqual({ id: survivor, name: null, email: expect.stringMatching(/^merge-[ab]@example\.com$/), phone: null });
    expect(named.customers[b.customerId]).toEqual(named.customers[a.customerId]);
    // Either email finds the person's moments on both profiles.
    const byEmail = (await s.api('GET', `/api/v1/moments?q=merge-a@example.com`)).body.data.map((m: any) => m.id).sort();
    expect(byEmail).toEqual([a.id, b.id].sort());
  });

  it('names the customer of each listed moment when asked, and finds moments by who they are with', async () => {
    const channel = uniq('whatsapp');
    const rita = (await open(s, { identity: 'phone:+14155550177', name: 'Rita Moreno', channel, message: { body: 'Hi' } })).body.moment;
    expect((await s.track('/v1/identify', { userId: 'rita-77', traits: { phone: '+14155550177', email: 'Rita@Example.com' } })).status).toBe(200);
    const ann = (await open(s, { identity: 'email:ann.brief@example.com', channel, message: { body: 'Hello' } })).body.moment;
    const list = (await s.api('GET', `/api/v1/moments?channel=${channel}&include=customers`)).body;
    expect(list.data.map((m: any) => m.id).sort()).toEqual([rita.id, ann.id].sort());
    expect(list.customers).toEqual({
      [rita.customerId]: { id: rita.customerId, name: 'Rita Moreno', email: 'rita@example.com', phone: '+14155550177' },
      [ann.customerId]: { id: ann.customerId, name: null, email: 'ann.brief@example.com', phone: null },
    });
    // The profile says the same name.
    expect((await s.api('GET', `/api/v1/customers/${rita.customerId}`)).body.name).toBe('Rita Moreno');
    // The list's text search finds a customer's moments by their name, or by an identity written out in full.
    const found = async (q: string) => (await s.api('GET', `/api/v1/moments?channel=${channel}&q=${encodeURIComponent(q)}`)).body.data.map((m: any) => m.id);
    expect(await found('moreno')).toEqual([rita.id]);
    expect(await found('+14155550177')).toEqual([rita.id]);
    expect(await found('ANN.BRIEF@example.com')).toEqual([ann.id]);
    expect(await found('Hello')).toEqual([ann.id]);
    expect(await found('nobody-here')).toEqual([]);
    // Not asked: null, and nothing else is read. A misspelt include is refused, naming it.
    expect((await s.api('GET', `/api/v1/moments?channel=${channel}`)).body.customers).toBeNull();
    const bad = await s.api('GET', `/api/v1/moments?channel=${channel}&include=customer`);
    expect(bad.status).toBe(400);
    expect(bad.body.error.field).toBe('include');
    // Another workspace's key lists none of these, and so names none of their customers.
    const other = await createWorkspace(s.tp.deps, { name: 'Brief other', ownerEmail: 'brief@other.test', ownerPassword: 'another long password' });
    expect((await s.api('GET', `/api/v1/moments?channel=${channel}&include=customers`, undefined, other.apiKey)).body).toEqual({ data: [], nextCursor: null, customers: {} });
  });

  it("another workspace's key reaches none of these moments", async () => {
    const other = await createWorkspace(s.tp.deps, { name: 'Other', ownerEmail: 'o@other.test', ownerPassword: 'another long password' });
    const m = (await open(s, { identity: 'email:private@example.com', channel: uniq('chat') })).body.moment;
    for (const [method, route, body] of [
      ['GET', `/api/v1/moments/${m.id}`],
      ['GET', `/api/v1/moments/${m.id}/messages`],
      ['GET', `/api/v1/moments/${m.id}/ownership`],
      ['PATCH', `/api/v1/moments/${m.id}`, { priority: 'low' }],
      ['POST', `/api/v1/moments/${m.id}/messages`, { direction: 'note', body: 'x' }],
      ['POST', `/api/v1/moments/${m.id}/take-over`, { agentId: other.ownerId }],
    ] as const) {
      const res = await s.api(method, route, body, other.apiKey);
      expect(res.status, `${method} ${route}`).toBe(404);
    }
    expect((await s.api('POST', '/api/v1/moments', { customerId: m.customerId, channel: 'chat', message: { body: 'x' } }, other.apiKey)).status).toBe(404);
  });
});
