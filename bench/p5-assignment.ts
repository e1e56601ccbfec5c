import path from 'node:path';
import SQLite from 'better-sqlite3';
import { seededRandom } from './fixtures.ts';
import { adminApi, formatResult, log, newStore, result, startChild, stopAfter, summarizeLoad, warmThenLoad, type BenchResult, type ChildServer, type LoadResult } from './lib.ts';

const CONNECTIONS = 20;
const WARMUP_S = 3;
const MEASURE_S = 10;
const TEAMS = 5;
const AGENTS_PER_TEAM = 10;
const CHANNELS = ['chat', 'chat', 'whatsapp', 'email', 'email', 'sms', 'voice', 'social'] as const;
/** Large enough that routing always places a moment with a person (the strategy's full path), never in the line. */
const CAPACITY = { '*': 1000 };

/**
 * P5: moments opened per second through POST /api/v1/moments — every request a new customer
 * identity, channels mixed, some texts with billing words or in Spanish — with five assignment
 * rules and 50 agents online in 5 teams (round robin, least loaded, skills; a default team for
 * what no rule takes), against the same server, agents and traffic with no rules and no default
 * team (every moment is held by the workspace owner: what assignment costs as a whole). Each run has a fresh SQLite store and its own process (synchronous=FULL),
 * 20 connections, 3 s warm-up then 10 s; two runs a side, interleaved, averaged.
 * Target: ≥ 0.7 of the no-rules rate.
 */
export async function runP5(): Promise<BenchResult> {
  // A B B A: the machine's drift (other work, a warming disk) falls on both sides alike.
  const sides: Side[] = [];
  for (const withRules of [false, true, true, false]) {
    log(`P5 ${withRules ? 'Touchpoint: five assignment rules' : 'baseline: no assignment rules'}, 50 agents in 5 teams, POST /api/v1/moments (run ${sides.length + 1} of 4)`);
    sides.push(await measure(withRules));
  }
  const failed = sides.reduce((n, side) => n + side.run.measured.errors + side.run.measured.non2xx, 0);
  if (failed > 0) throw new Error(`${failed} requests failed: ${JSON.stringify(sides.map((side) => summarizeLoad(side.run.measured)))}`);
  const rules = sides.filter((side) => side.withRules);
  const noRules = sides.filter((side) => !side.withRules);
  const mean = (runs: readonly Side[]) => runs.reduce((sum, side) => sum + side.run.measured.requestsPerSec, 0) / runs.length;
  const r = result(
    'p5',
    'assignment with rules',
    { label: 'five rules', value: mean(rules), unit: 'moments/s' },
    { label: 'no rules', value: mean(noRules), unit: 'moments/s' },
    { op: '>=', value: 0.7 },
    {
      connections: CONNECTIONS,
      warmupSeconds: WARMUP_S,
      seconds: MEASURE_S,
      agents: TEAMS * AGENTS_PER_TEAM,
      teams: TEAMS,
      order: 'no rules, rules, rules, no rules (each on a fresh store)',
      rules: rules.map((side) => ({ ...summarizeLoad(side.run.measured), server: side.stats, placement: side.placement })),
      noRules: noRules.map((side) => ({ ...summarizeLoad(side.run.measured), server: side.stats, placement: side.placement })),
    },
  );
  log(formatResult(r));
  return r;
}

type Side = { readonly withRules: boolean; readonly run: { readonly warmup: LoadResult; readonly measured: LoadResult }; readonly stats: Readonly<Record<string, unknown>>; readonly placement: Readonly<Record<string, number>> };

async function measure(withRules: boolean): Promise<Side> {
  const store = newStore('sqlite', withRules ? 'p5r' : 'p5n');
  try {
    const server = await startChild('touchpoint-server.ts', store.serverOptions);
    const apiKey = String(server.info.apiKey);
    const { run, stats } = await stopAfter(server, async () => {
      await setUpRouting(server, withRules);
      return warmThenLoad(server, { path: '/api/v1/moments', connections: CONNECTIONS, headers: { authorization: `Bearer ${apiKey}` }, body: moments(withRules ? 1 : 2) }, WARMUP_S, MEASURE_S);
    });
    return { withRules, run, stats, placement: placement(store.dataDir) };
  } finally {
    await store.drop();
  }
}

/** 50 agents (online, skilled, roomy) in 5 teams, a default team, and (with rules) five assignment rules. */
async function setUpRouting(server: ChildServer, withRules: boolean): Promise<void> {
  const api = adminApi(server);
  const SKILLS = [['billing'], ['en'], ['es', 'pt'], ['vip', 'billing'], ['en', 'returns']];
  const agentIds: string[] = [];
  for (let i = 0; i < TEAMS * AGENTS_PER_TEAM; i += 10) {
    // Ten at a time: each creation hashes a password (scrypt).
    const batch = await Promise.all(
      Array.from({ length: 10 }, (_, k) => api('POST', '/api/v1/agents', { email: `agent${i + k}@bench.test`, name: `Agent ${i + k}`, role: 'agent', password: 'bench agent password', skills: SKILLS[(i + k) % SKILLS.length], capacity: CAPACITY })),
    );
    agentIds.push(...batch.map((a) => a.id));
  }
  const strategies = ['round_robin', 'least_loaded', 'skills', 'round_robin', 'least_loaded'] as const;
  const teams: string[] = [];
  for (let t = 0; t < TEAMS; t++) {
    const members = agentIds.slice(t * AGENTS_PER_TEAM, (t + 1) * AGENTS_PER_TEAM);
    const team = await api('POST', '/api/v1/teams', { key: `team-${t}`, name: ['Chat', 'Mail', 'Billing', 'Latam', 'VIP'][t], agentIds: members, strategy: strategies[t], fallbackOwnerId: members[0], leadId: members[1] });
    teams.push(team.id);
  }
  for (const id of agentIds) await api('PUT', `/api/v1/agents/${id}/presence`, { presence: 'online' });
  if (!withRules) return;
  // Moments no rule takes go to the chat team, by its strategy.
  await api('PATCH', '/api/v1/workspace/settings', { moments: { defaultTeamId: teams[0] } });
  const [chat, mail, billing, latam, vip] = teams;
  const rules = [
    { name: 'VIP customers', conditions: { traits: { vip: true } }, teamId: vip, requiredSkills: ['vip'] },
    { name: 'Billing words', conditions: { keywords: ['refund', 'invoice', 'charged twice', 'billing'] }, teamId: billing, requiredSkills: ['billing'] },
    { name: 'Spanish and Portuguese', conditions: { languages: ['es', 'pt'] }, teamId: latam },
    { name: 'Chat and WhatsApp', conditions: { channels: ['chat', 'whatsapp'] }, teamId: chat },
    { name: 'Email and SMS', conditions: { channels: ['email', 'sms'] }, teamId: mail },
  ];
  for (const rule of rules) await api('POST', '/api/v1/assignment-rules', rule);
}

/** Request bodies: a new customer each time, channels mixed, some billing words, some Spanish. Deterministic. */
function moments(seed: number): () => string {
  const random = seededRandom(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)];
  const TEXTS = [
    'Hi, my parcel has not arrived yet. Order 48213, can you check?',
    'I was charged twice for my last order, please refund one of them',
    'Can I change the size of the jacket I ordered yesterday?',
    'Where can I download the invoice for order 51122?',
    'The head torch stopped charging after a week.',
    'Do you ship to Norway? And how long does it take?',
  ];
  let n = 0;
  return () => {
    n += 1;
    const channel = pick(CHANNELS);
    const spanish = random() < 0.1;
    return JSON.stringify({
      identity: `email:p5-${seed}-${n}-${Math.floor(random() * 1e9).toString(36)}@bench.test`,
      channel,
      message: { body: spanish ? 'Hola, mi pedido no ha llegado todavía' : pick(TEXTS) },
      ...(spanish ? { language: 'es' } : {}),
    });
  };
}

/** Where the moments went, read from the store after the server stopped. */
function placement(dataDir: string): Record<string, number> {
  const db = new SQLite(path.join(dataDir, 'touchpoint.sqlite'), { readonly: true });
  try {
    const rows = db.prepare('select t.name as team, count(*) as n, sum(m.queued_at is not null) as queued from moment m left join team t on t.workspace_id = m.workspace_id and t.id = m.team_id group by t.name').all() as { team: string | null; n: number; queued: number }[];
    return Object.fromEntries(rows.flatMap((r) => [[r.team ?? 'no team', r.n], ...(r.queued > 0 ? [[`${r.team ?? 'no team'} queued`, r.queued]] : [])]));
  } finally {
    db.close();
  }
}
