import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { fixedClock } from '../platform/clock.ts';
import type { Deps } from '../platform/deps.ts';
import { AppError } from '../platform/errors.ts';
import { parseJsonObject } from '../platform/json.ts';
import { seededRandom } from '../platform/seeded-random.ts';
import { createAgent, createTeam, updateSettings } from '../modules/workspaces/index.ts';
import { createChannel, type ChannelKind } from '../modules/channels/index.ts';
import {
  acceptHandoff,
  addMessage,
  escalate,
  openMoment,
  recordDelivery,
  requestHandoff,
  setPresence,
  sweepMoments,
  updateMoment,
  type Caller,
  type MomentsCtx,
  type Priority,
} from '../modules/moments/index.ts';
import { createRule } from '../modules/moments/routing-settings/index.ts';
import { createBusinessHours, createSlaPolicy, sweepSla } from '../modules/moments/sla/index.ts';
import type { App } from '../main.ts';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
/** Twilio's own test-credentials account id shape: a demo channel with settings a real one could have. */
const DEMO_TWILIO_ACCOUNT = 'AC00000000000000000000000000000000';

/** The Demo company's support floor: who works which team, with which skills and how much at once. */
const PEOPLE = [
  { key: 'maya', name: 'Maya Patel', team: 'marketing', skills: ['en', 'partnerships'], capacity: { '*': 8, chat: 3 } },
  { key: 'tom', name: 'Tom Becker', team: 'marketing', skills: ['en', 'de'], capacity: { '*': 6, chat: 2 } },
  { key: 'lucas', name: 'Lucas Almeida', team: 'sales', skills: ['en', 'pt', 'wholesale'], capacity: { '*': 8, chat: 3, voice: 1 } },
  { key: 'grace', name: 'Grace Kim', team: 'sales', skills: ['en', 'wholesale'], capacity: { '*': 8, chat: 3, voice: 1 } },
  { key: 'omar', name: 'Omar Haddad', team: 'sales', skills: ['en', 'fr'], capacity: { '*': 6, chat: 3, voice: 1 } },
  { key: 'sofia', name: 'Sofia Rossi', team: 'service', skills: ['en', 'billing', 'returns'], capacity: { '*': 10, chat: 3, voice: 1 } },
  { key: 'daniel', name: 'Daniel Wright', team: 'service', skills: ['en', 'billing'], capacity: { '*': 8, chat: 3, voice: 1 } },
  { key: 'aisha', name: 'Aisha Okafor', team: 'service', skills: ['en', 'returns'], capacity: { '*': 8, chat: 3, voice: 1 } },
  { key: 'jonas', name: 'Jonas Weber', team: 'service', skills: ['en', 'de', 'returns'], capacity: { '*': 8, chat: 2, voice: 1 } },
  { key: 'priya', name: 'Priya Nair', team: 'service', skills: ['en', 'billing', 'returns'], capacity: { '*': 8, chat: 3, voice: 1 } },
  { key: 'chloe', name: 'Chloe Martin', team: 'social', skills: ['en', 'fr'], capacity: { '*': 10, instagram: 6, messenger: 6 } },
  { key: 'mateus', name: 'Mateus Costa', team: 'social', skills: ['en', 'pt'], capacity: { '*': 8, instagram: 5, messenger: 5 } },
] as const;
type PersonKey = (typeof PEOPLE)[number]['key'];
type TeamKey = 'marketing' | 'sales' | 'service' | 'social';

const TEAMS: readonly { key: TeamKey; name: string; strategy: 'round_robin' | 'least_loaded' | 'skills'; lead: PersonKey; fallback: PersonKey }[] = [
  { key: 'marketing', name: 'Marketing', strategy: 'round_robin', lead: 'maya', fallback: 'maya' },
  { key: 'sales', name: 'Sales', strategy: 'least_loaded', lead: 'lucas', fallback: 'grace' },
  { key: 'service', name: 'Service', strategy: 'skills', lead: 'sofia', fallback: 'sofia' },
  { key: 'social', name: 'Social', strategy: 'round_robin', lead: 'chloe', fallback: 'chloe' },
];

const RULES: readonly { name: string; conditions: Record<string, unknown>; team: TeamKey; requiredSkills?: string[] }[] = [
  { name: 'Billing and refunds', conditions: { keywords: ['refund', 'invoice', 'charged', 'payment'] }, team: 'service', requiredSkills: ['billing'] },
  { name: 'Returns and exchanges', conditions: { keywords: ['return', 'exchange', 'wrong size'] }, team: 'service', requiredSkills: ['returns'] },
  { name: 'Social media', conditions: { channels: ['instagram', 'messenger'] }, team: 'social' },
  { name: 'Sales enquiries', conditions: { keywords: ['quote', 'bulk', 'wholesale', 'discount', 'in stock'] }, team: 'sales' },
  { name: 'Partnerships and newsletter', conditions: { keywords: ['partnership', 'collaboration', 'newsletter', 'unsubscribe'] }, team: 'marketing' },
];

/**
 * What customers write about: where it arrives, what they say, and how the team answers.
 * `#{n}` in a text stands for the customer's latest order; topics about an order go to people
 * who placed it a few days before they write (ORDER_ASKED_WITHIN).
 */
type Topic = { readonly channels: readonly string[]; readonly subject: string; readonly opening: readonly string[]; readonly reply: string; readonly followUp: string; readonly tags: readonly string[]; readonly aboutAnOrder?: true };
const TOPICS: readonly Topic[] = [
  { channels: ['email', 'chat', 'whatsapp', 'voice'], subject: 'Where is my order?', opening: ['Hi, my order #{n} has not arrived yet and the tracking has not moved for three days.', 'Could you tell me when order #{n} will arrive? I need it for the weekend.'], reply: 'Thanks for your patience! The carrier scanned #{n} this morning; it should be with you within two working days.', followUp: 'Still nothing today, is there anything else you can do?', tags: ['delivery'], aboutAnOrder: true },
  { channels: ['email', 'chat', 'sms'], subject: 'Charged twice', opening: ['I was charged twice for order #{n}, please refund the second payment.', 'My card shows two payments for the same order #{n}. Can I get a refund?'], reply: 'Sorry about that. I can see the duplicate payment and have issued a refund; it takes 3–5 working days to show.', followUp: 'Thanks. Could you send me the invoice for the remaining payment?', tags: ['billing'], aboutAnOrder: true },
  { channels: ['email', 'chat', 'whatsapp'], subject: 'Return and exchange', opening: ['The Midweight Zip Hoodie is the wrong size, can I exchange it for a large?', 'I would like to return the daypack from order #{n}, it is not what I expected.'], reply: 'Of course. I have emailed you a prepaid return label; the exchange ships as soon as the parcel is scanned.', followUp: 'Label printed, dropping it off tomorrow. Thank you!', tags: ['returns'], aboutAnOrder: true },
  { channels: ['email', 'chat', 'voice'], subject: 'Wholesale quote', opening: ['Can you send a quote for a bulk order of 40 Organic Cotton Tees with our logo?', 'Is the Insulated Steel Bottle in stock in 200 units? We would like a wholesale discount.'], reply: 'Happy to help. I have attached a quote with our volume discount; delivery would be in about ten days.', followUp: 'Looks good. Can we pay by bank transfer?', tags: ['b2b'] },
  { channels: ['instagram', 'messenger'], subject: 'Message about our post', opening: ['@northwind the new head torch is brilliant on night hikes!', '@northwind my parcel has been "out for delivery" for a week, not impressed.'], reply: 'Thanks for telling us! We have sent you a direct message so we can look into it.', followUp: 'Got your DM, replied there.', tags: ['social'] },
  { channels: ['email'], subject: 'Partnership request', opening: ['Hi! I run an outdoor blog with 80k readers and would love a collaboration on your autumn range.', 'Please unsubscribe me from the newsletter, I get three emails a week.'], reply: 'Thank you for reaching out. I have passed this to our partnerships lead and will get back to you this week.', followUp: 'Great, looking forward to it.', tags: ['marketing'] },
  { channels: ['chat', 'whatsapp', 'voice', 'sms'], subject: 'Product question', opening: ['Does the Daypack 22 L fit a 15 inch laptop?', 'Are the Merino Hiking Socks machine washable?'], reply: 'Good question: yes, and our care guide is on the product page under "Details".', followUp: 'Perfect, ordering now.', tags: ['product'] },
];
const PORTUGUESE = { subject: 'Pedido atrasado', opening: 'Olá, meu pedido #{n} ainda não chegou. Podem verificar?', reply: 'Olá! Verificamos o seu pedido #{n}: chega em dois dias úteis.', followUp: 'Obrigado!' };

export type DemoInbox = { readonly agents: number; readonly moments: number; readonly byStatus: Readonly<Record<string, number>>; readonly breached: number; readonly skipped: number };

/**
 * The Demo workspace's support side: four teams with fallback owners and leads, twelve people
 * with skills and capacities, five assignment rules, London business hours, SLA policies, and a
 * month of moments with the demo customers, played through the moments use cases on a clock
 * moved forward step by step (timestamps, ledgers and SLA deadlines come out as they would
 * have live). Deterministic from the seed. Demo people get random passwords nobody is told:
 * the demo owner signs in and sees them all.
 */
export async function loadDemoInbox(tp: App, workspaceId: string, options: { readonly moments?: number; readonly days?: number; readonly seed?: number } = {}): Promise<DemoInbox> {
  const now = tp.deps.clock.now();
  const days = options.days ?? 30;
  const random = seededRandom(options.seed ?? 20261126);
  const clock = fixedClock(now - days * DAY - DAY);
  const deps: Deps = { ...tp.deps, clock };
  const ctx: MomentsCtx = { deps, settings: tp.settings, publish: () => {} };
  const actor = 'demo';
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const between = (lo: number, hi: number) => lo + random() * (hi - lo);

  const units = await deps.db.selectFrom('business_unit').select('id').where('workspace_id', '=', workspaceId).orderBy('created_at').execute();
  const password = randomBytes(24).toString('base64url');
  const people = new Map<PersonKey, string>();
  await Promise.all(
    PEOPLE.map(async (p) => {
      const { id } = await createAgent(deps, { workspaceId, email: `${p.key}@demo.touchpoint.local`, name: p.name, role: 'agent', password, skills: p.skills, capacity: p.capacity, actor });
      people.set(p.key, id);
    }),
  );
  const idOf = (key: PersonKey) => people.get(key)!;
  const teams = new Map<TeamKey, string>();
  for (const [i, t] of TEAMS.entries()) {
    const members = PEOPLE.filter((p) => p.team === t.key).map((p) => idOf(p.key));
    const { id } = await createTeam(deps, { workspaceId, key: t.key, name: t.name, businessUnitId: units[i % units.length]?.id ?? null, agentIds: members, strategy: t.strategy, fallbackOwnerId: idOf(t.fallback), leadId: idOf(t.lead), actor });
    teams.set(t.key, id);
  }
  const membersOf = (team: TeamKey) => PEOPLE.filter((p) => p.team === team).map((p) => idOf(p.key));
  for (const rule of RULES) await createRule(deps, { workspaceId, name: rule.name, conditions: rule.conditions, teamId: teams.get(rule.team)!, requiredSkills: rule.requiredSkills, actor });
  await updateSettings(deps, { workspaceId, patch: { moments: { defaultTeamId: teams.get('service')! } }, actor });
  tp.settings.forget(workspaceId);
  const weekday = [['09:00', '17:00']];
  const hours = await createBusinessHours(deps, { workspaceId, actor, name: 'London office', timeZone: 'Europe/London', weekly: { mon: weekday, tue: weekday, wed: weekday, thu: weekday, fri: weekday } });
  await createSlaPolicy(deps, { workspaceId, actor, name: 'Urgent', priority: 'urgent', firstResponseMinutes: 30, nextResponseMinutes: 60, resolutionMinutes: 240, warnBeforeMinutes: 10, breachActions: ['notify_lead'] });
  await createSlaPolicy(deps, { workspaceId, actor, name: 'High', priority: 'high', firstResponseMinutes: 60, nextResponseMinutes: 240, resolutionMinutes: 1440, businessHoursId: hours.id, warnBeforeMinutes: 15, breachActions: ['notify_lead'] });
  await createSlaPolicy(deps, { workspaceId, actor, name: 'Normal', priority: 'normal', firstResponseMinutes: 240, nextResponseMinutes: 480, resolutionMinutes: 2880, businessHoursId: hours.id, warnBeforeMinutes: 30 });
  for (const id of people.values()) await setPresence(ctx, { workspaceId, agentId: id, presence: 'online', actor });
  const channels = await createDemoChannels(deps, workspaceId, units.map((u) => u.id), actor);

  const customers = await deps.db
    .selectFrom('customer')
    .select(['id', 'traits'])
    .where('workspace_id', '=', workspaceId)
    .where('merged_into', 'is', null)
    .where('identified', '=', 1)
    .orderBy('id')
    .limit(600)
    .execute();
  if (customers.length === 0) return { agents: people.size, moments: 0, byStatus: {}, breached: 0, skipped: 0 };
  const recentOrders = await latestOrders(deps, workspaceId, now - days * DAY - ORDER_ASKED_WITHIN);

  // The agenda: every step at its time, in time order; the clock moves to each before it runs.
  type Step = { readonly at: number; readonly run: () => Promise<void> };
  const agenda: Step[] = [];
  let skipped = 0;
  const at = (when: number, run: () => Promise<void>) => {
    const time = Math.round(when);
    if (time > now) return;
    // After every step already due at that time: steps keep the order they were planned in.
    let i = agenda.length;
    while (i > 0 && agenda[i - 1]!.at > time) i--;
    agenda.splice(i, 0, { at: time, run });
  };
  /** Agents answer in working hours (London, Monday to Friday): later steps wait for the morning. */
  const working = (time: number) => {
    const d = new Date(time);
    const day = d.getUTCDay();
    if (day !== 0 && day !== 6 && d.getUTCHours() >= 8 && d.getUTCHours() < 18) return time;
    const next = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate() + (d.getUTCHours() >= 18 ? 1 : 0), 9, Math.floor(random() * 50)));
    while (next.getUTCDay() === 0 || next.getUTCDay() === 6) next.setUTCDate(next.getUTCDate() + 1);
    return next.getTime();
  };
  const as = (agentId: string): Caller => ({ workspaceId, agentId, seesAll: true, teamIds: new Set(), actor: agentId, role: 'agent' });
  const current = (momentId: string) => deps.db.selectFrom('moment').select(['owner_id', 'team_id', 'status']).where('workspace_id', '=', workspaceId).where('id', '=', momentId).executeTakeFirstOrThrow();
  const replyDelay: Record<Priority, [number, number]> = { urgent: [5 * MINUTE, 45 * MINUTE], high: [15 * MINUTE, 2 * HOUR], normal: [20 * MINUTE, 5 * HOUR], low: [2 * HOUR, 2 * DAY] };

  /** One conversation from the customer's first message to wherever it has got to by now. */
  const story = (opened: number) => {
    // Someone who never ordered does not ask where their order is, and nobody asks about an order
    // of last spring: order topics go to people whose latest order is a few days old.
    const recentBuyers = recentOrders.filter((o) => o.at < opened - DAY && o.at > opened - ORDER_ASKED_WITHIN);
    const topic = pick(recentBuyers.length > 0 ? TOPICS : TOPICS.filter((t) => !t.aboutAnOrder));
    const buyer = topic.aboutAnOrder ? pick(recentBuyers) : null;
    const customer = buyer ?? pick(customers);
    const traits = parseJsonObject(customer.traits);
    const portuguese = buyer !== null && traits.country === 'Brazil' && random() < 0.5;
    const text = (s: string) => (buyer ? s.replace('#{n}', buyer.orderId) : s);
    const channel = pick(topic.channels);
    const r = random();
    const priority: Priority = r < 0.05 ? 'urgent' : r < 0.25 ? 'high' : r < 0.92 ? 'normal' : 'low';
    let momentId = '';
    const channelId = channels.get(channel) ?? null;
    const customerWrites = (body: string) => openMoment(ctx, { workspaceId, actor: 'channel', customer: { customerId: customer.id }, channel, channelId, message: { body } });
    const reply = async (then: () => void) => {
      const m = await current(momentId);
      const sent = await addMessage(ctx, { workspaceId, momentId, caller: as(m.owner_id), direction: 'out', body: text(portuguese ? PORTUGUESE.reply : topic.reply) });
      // The channel reports it delivered a few seconds later (the worker has nothing left to send).
      clock.set(clock.now() + Math.round(between(2_000, 30_000)));
      await recordDelivery(ctx, { workspaceId, messageId: sent.message.id, state: 'delivered' });
      then();
    };
    const resolve = async () => {
      const m = await current(momentId);
      await updateMoment(ctx, { workspaceId, momentId, caller: as(m.owner_id), patch: { status: 'resolved' } });
      // Now and then the customer writes again within the reopen window: the moment reopens.
      if (random() < 0.06) at(clock.now() + between(HOUR, 40 * HOUR), () => customerWrites('Sorry, one more thing: it happened again.').then(() => at(working(clock.now() + between(20 * MINUTE, 3 * HOUR)), () => reply(() => at(clock.now() + between(HOUR, DAY), resolve)))));
    };
    const afterFirstReply = () => {
      const next = random();
      const t = clock.now();
      if (next < 0.4) {
        at(t + between(20 * MINUTE, DAY), () => customerWrites(portuguese ? PORTUGUESE.followUp : topic.followUp).then(() => at(working(clock.now() + between(...replyDelay[priority])), () => reply(() => at(clock.now() + between(10 * MINUTE, DAY), resolve)))));
      } else if (next < 0.52) {
        // Waiting on the customer: the clock pauses until they answer (or the team gives up).
        at(t + MINUTE, async () => {
          const m = await current(momentId);
          await updateMoment(ctx, { workspaceId, momentId, caller: as(m.owner_id), patch: { status: 'pending' } });
          if (random() < 0.6) at(clock.now() + between(2 * HOUR, 3 * DAY), () => customerWrites(topic.followUp).then(() => at(working(clock.now() + between(...replyDelay[priority])), () => reply(() => at(clock.now() + HOUR, resolve)))));
          else at(clock.now() + 5 * DAY, resolve);
        });
      } else if (next < 0.57) {
        at(t + MINUTE, async () => {
          const m = await current(momentId);
          await updateMoment(ctx, { workspaceId, momentId, caller: as(m.owner_id), patch: { status: 'snoozed', snoozedUntil: Math.round(clock.now() + between(DAY, 4 * DAY)) } });
        });
      } else {
        at(t + between(10 * MINUTE, DAY), resolve);
      }
    };

    at(opened, async () => {
      const result = await openMoment(ctx, {
        workspaceId,
        actor: 'channel',
        customer: { customerId: customer.id },
        channel,
        channelId,
        subject: channel === 'chat' || channel === 'instagram' || channel === 'messenger' || channel === 'sms' || channel === 'whatsapp' ? null : portuguese ? PORTUGUESE.subject : topic.subject,
        message: { body: text(portuguese ? PORTUGUESE.opening : pick(topic.opening)) },
        priority,
        language: portuguese ? 'pt' : 'en',
        tags: [...topic.tags],
      });
      momentId = result.moment.id;
      if (result.outcome !== 'opened') return;
      const t = clock.now();
      // A few never got an answer: the backlog that breaches its SLA.
      if (random() < 0.04) return;
      if (random() < 0.2) {
        const colleague = idOf(pick(PEOPLE).key);
        at(t + between(5 * MINUTE, 2 * HOUR), () => addMessage(ctx, { workspaceId, momentId, caller: as(colleague), direction: 'note', body: 'Heads up: this customer wrote last month about the same order.', mentions: [] }).then(() => undefined));
      }
      const handoff = random() < 0.08;
      const escalating = !handoff && random() < 0.05;
      at(working(t + between(...replyDelay[priority])), () =>
        reply(() => {
          if (handoff) {
            at(clock.now() + between(5 * MINUTE, HOUR), async () => {
              const m = await current(momentId);
              const target = pick(TEAMS.filter((x) => teams.get(x.key) !== m.team_id));
              await requestHandoff(ctx, { workspaceId, momentId, caller: as(m.owner_id), request: { toTeamId: teams.get(target.key)!, reason: 'better answered by ' + target.name, note: 'Customer is waiting on a decision; details in the thread.' } });
              at(working(clock.now() + between(10 * MINUTE, 2 * HOUR)), async () => {
                await acceptHandoff(ctx, { workspaceId, momentId, caller: as(pick(membersOf(target.key))) });
                afterFirstReply();
              });
            });
          } else if (escalating) {
            at(clock.now() + between(10 * MINUTE, 2 * HOUR), async () => {
              const m = await current(momentId);
              await escalate(ctx, { workspaceId, momentId, caller: as(m.owner_id), reason: 'customer asked for a manager', raisePriority: true });
              afterFirstReply();
            });
          } else afterFirstReply();
        }),
      );
    });
  };

  const total = options.moments ?? 300;
  const start = now - days * DAY;
  for (let told = 0; told < total; ) {
    // More in the last three days (a busy week), fewer at night and at weekends.
    const day = told < total * 0.88 ? start + Math.floor(random() * (days - 3)) * DAY : now - Math.ceil(random() * 3) * DAY;
    const time = day - (day % DAY) + (random() < 0.8 ? between(8, 20) : between(0, 24)) * HOUR;
    if ([0, 6].includes(new Date(time).getUTCDay()) && random() < 0.5) continue;
    story(Math.min(time, now - 5 * MINUTE));
    told += 1;
  }
  // The clockwork that runs in the server: SLA warnings and breaches, snoozes ending, resolved moments closing.
  const sweep = async () => {
    await sweepSla(deps, { publish: () => {}, reassign: async () => [] });
    await sweepMoments(ctx);
  };
  for (let t = start; t <= now; t += HOUR) at(t, sweep);

  await withoutFsync(deps, async () => {
    for (let step = agenda.shift(); step !== undefined; step = agenda.shift()) {
      clock.set(Math.max(clock.now(), step.at));
      try {
        await step.run();
      } catch (error) {
        // The simulation acts on a moving inbox (a full agent, a moment that moved on): skip the step.
        if (!(error instanceof AppError)) throw error;
        skipped += 1;
      }
    }
    clock.set(now);
    await sweep();
  });
  // Not everyone is at their desk right now (these commits wait for the disk again, and so make all of the above durable).
  await setPresence(ctx, { workspaceId, agentId: idOf('tom'), presence: 'away', actor });
  await setPresence(ctx, { workspaceId, agentId: idOf('omar'), presence: 'offline', actor });

  const rows = await deps.db.selectFrom('moment').select(['status', 'sla_breached_at']).where('workspace_id', '=', workspaceId).execute();
  const byStatus: Record<string, number> = {};
  for (const row of rows) byStatus[row.status] = (byStatus[row.status] ?? 0) + 1;
  return { agents: people.size, moments: rows.length, byStatus, breached: rows.filter((row) => row.sla_breached_at !== null).length, skipped };
}

/**
 * Runs the demo's two thousand small commits without waiting for the disk on each (SQLite):
 * that wait was four fifths of the load time, and the demo can be made again on any fresh
 * install. The setting goes back after; the next commit then syncs everything before it.
 */
async function withoutFsync(deps: Deps, work: () => Promise<void>): Promise<void> {
  if (deps.engine !== 'sqlite') return work();
  const { rows } = await sql<{ synchronous: number }>`pragma synchronous`.execute(deps.db);
  const previous = Number(rows[0]?.synchronous ?? 2);
  await sql`pragma synchronous = OFF`.execute(deps.db);
  try {
    await work();
  } finally {
    await sql.raw(`pragma synchronous = ${Number.isInteger(previous) ? previous : 2}`).execute(deps.db);
  }
}

/**
 * One channel of each kind, so the inbox shows where each conversation came from and what it
 * cost. They point at no real provider account (secrets are random): connect real credentials
 * in Settings → Channels to send; until then replies show failed with the provider's reason.
 */
async function createDemoChannels(deps: Deps, workspaceId: string, units: readonly string[], actor: string): Promise<Map<string, string>> {
  const secret = () => randomBytes(24).toString('base64url');
  const meta = () => ({ accessToken: secret(), appSecret: secret(), verifyToken: secret() });
  const specs: readonly { kind: ChannelKind; name: string; address?: string; settings: Record<string, unknown>; secrets: Record<string, string>; cost: number }[] = [
    { kind: 'email', name: 'Support email', address: 'support@demo.touchpoint.local', settings: {}, secrets: {}, cost: 0.9 },
    { kind: 'chat', name: 'Website chat', settings: { allowedOrigins: ['http://localhost:3000'] }, secrets: { identitySecret: secret() }, cost: 0.6 },
    { kind: 'whatsapp', name: 'WhatsApp', address: '+44 7700 900100', settings: { phoneNumberId: 'demo-phone-number' }, secrets: meta(), cost: 0.35 },
    { kind: 'messenger', name: 'Messenger', address: 'demo-page', settings: { pageId: 'demo-page' }, secrets: meta(), cost: 0.2 },
    { kind: 'instagram', name: 'Instagram', address: 'demo-instagram', settings: { accountId: 'demo-instagram' }, secrets: meta(), cost: 0.2 },
    { kind: 'sms', name: 'SMS', address: '+44 7700 900200', settings: { accountSid: DEMO_TWILIO_ACCOUNT }, secrets: { authToken: secret() }, cost: 0.05 },
    { kind: 'voice', name: 'Phone line', address: '+44 7700 900300', settings: { accountSid: DEMO_TWILIO_ACCOUNT }, secrets: { authToken: secret() }, cost: 4.5 },
    { kind: 'api', name: 'Shop integration', settings: { outboundUrl: 'https://shop.example.com/touchpoint/replies' }, secrets: { signingSecret: `whsec_${randomBytes(24).toString('base64')}` }, cost: 0.1 },
  ];
  const ids = new Map<string, string>();
  for (const [i, c] of specs.entries()) {
    const created = await createChannel(deps, { workspaceId, kind: c.kind, name: c.name, address: c.address ?? null, settings: c.settings, secrets: c.secrets, costPerContact: c.cost, currency: 'GBP', businessUnitId: units[i % Math.max(units.length, 1)] ?? null, actor });
    ids.set(c.kind, created.id);
  }
  return ids;
}

/** A buyer's latest order, placed since the day asked for. */
type LatestOrder = { readonly id: string; readonly traits: string; readonly orderId: string; readonly at: number };

/** Order topics name an order at most this old when the conversation opens. */
const ORDER_ASKED_WITHIN = 21 * DAY;

/** Buyers whose latest order was placed since `since`, with that order (Order Completed events, oldest first: the latest stays). */
async function latestOrders(deps: Deps, workspaceId: string, since: number): Promise<readonly LatestOrder[]> {
  const rows = await deps.db
    .selectFrom('event')
    .innerJoin('customer', (j) => j.onRef('customer.workspace_id', '=', 'event.workspace_id').onRef('customer.id', '=', 'event.customer_id'))
    .select(['event.customer_id', 'event.properties', 'event.timestamp', 'customer.traits'])
    .where('event.workspace_id', '=', workspaceId)
    .where('event.name', '=', 'Order Completed')
    .orderBy('event.timestamp')
    .execute();
  const latest = new Map<string, LatestOrder>();
  for (const row of rows) {
    const orderId = parseJsonObject(row.properties).order_id;
    if (typeof orderId === 'string') latest.set(row.customer_id, { id: row.customer_id, traits: row.traits, orderId, at: row.timestamp });
  }
  return [...latest.values()].filter((o) => o.at >= since);
}
