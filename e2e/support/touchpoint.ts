import { ensureWebAppBuilt } from '@touchpoint/web/build';
import nodemailer from 'nodemailer';
import { startServer, type Running } from '../../apps/server/test/harness.ts';
import { startSmtpSink, type SmtpSink } from './smtp-sink.ts';

export type Person = { readonly id: string; readonly name: string; readonly email: string; readonly password: string };
export type Seeded = {
  readonly s: Running;
  readonly teams: { readonly sales: string; readonly service: string };
  readonly bob: Person;
  readonly ana: Person;
  readonly zoe: Person;
  readonly owner: Person;
  /** The email channel's outbound relay: what agents' replies reach. */
  readonly sink: SmtpSink;
  /** The email channel's inbox address, and the Message-ID of Ann's mail that opened her moment. */
  readonly inbox: string;
  readonly annMessageId: string;
  readonly stop: () => Promise<void>;
};

const PASSWORD = 'a long enough password';

/** What a test needs from an API call: the body, or a thrown error naming what failed. */
async function ok(s: Running, method: string, route: string, body?: unknown): Promise<any> {
  const res = await s.api(method, route, body);
  if (res.status >= 300) throw new Error(`${method} ${route} → ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

const INBOX = 'support@acme.test';

/** Sends a customer's mail to Touchpoint's own SMTP server, as their mail provider would. */
async function sendMail(s: Running, mail: { readonly from: string; readonly to: string; readonly subject: string; readonly text: string; readonly messageId: string }): Promise<void> {
  const transport = nodemailer.createTransport({ host: s.tp.smtp!.host, port: s.tp.smtp!.port, secure: false, ignoreTLS: true });
  try {
    await transport.sendMail(mail);
  } finally {
    transport.close();
  }
}

/**
 * A real Touchpoint (in this process, SQLite) serving the built web app, with an organisation
 * and an inbox: Sales (Bob) and Service (Ana) teams, an analyst (Zoe), SLA policies, an email
 * channel whose relay is a local SMTP sink, Ann's mail received on it over SMTP, and moments
 * for Bob on other channels through the API. The worker runs, so replies are delivered.
 */
export async function startSeededTouchpoint(): Promise<Seeded> {
  const [sink] = await Promise.all([startSmtpSink(), ensureWebAppBuilt()]);
  const s = await startServer('sqlite', { smtpPort: 0 });
  s.tp.worker.start();
  const person = async (name: string, role: string): Promise<Person> => {
    const email = `${name.toLowerCase()}@acme.test`;
    const created = await ok(s, 'POST', '/api/v1/agents', { email, name, role, password: PASSWORD });
    if (role !== 'analyst') await ok(s, 'PUT', `/api/v1/agents/${created.id}/presence`, { presence: 'online' });
    return { id: created.id, name, email, password: PASSWORD };
  };
  const bob = await person('Bob', 'agent');
  const ana = await person('Ana', 'agent');
  const zoe = await person('Zoe', 'analyst');
  const sales = (await ok(s, 'POST', '/api/v1/teams', { key: 'sales', name: 'Sales', agentIds: [bob.id] })).id as string;
  const service = (await ok(s, 'POST', '/api/v1/teams', { key: 'service', name: 'Service', agentIds: [ana.id] })).id as string;
  await ok(s, 'PATCH', '/api/v1/workspace/settings', { moments: { defaultTeamId: sales } });
  await ok(s, 'POST', '/api/v1/sla-policies', { name: 'Standard', firstResponseMinutes: 60, resolutionMinutes: 8 * 60, warnBeforeMinutes: 15 });
  await ok(s, 'POST', '/api/v1/sla-policies', { name: 'Urgent', priority: 'urgent', firstResponseMinutes: 20, resolutionMinutes: 120, warnBeforeMinutes: 5 });
  await ok(s, 'POST', '/api/v1/channels', { kind: 'email', name: 'Acme Support', address: INBOX, settings: { smtp: { host: '127.0.0.1', port: sink.port } } });
  const annMessageId = '<order-1042.ann@mail.example.com>';
  await sendMail(s, { from: 'Ann Lee <ann@example.com>', to: INBOX, subject: 'Card charged twice', text: 'Hi, I was charged twice for order 1042. Can you refund one?', messageId: annMessageId });
  const moments: [string, string, string, string, string, string][] = [
    ['phone:+14155552671', 'Raj Patel', 'whatsapp', 'Where is my parcel?', 'My parcel was due yesterday, tracking says nothing.', 'normal'],
    ['email:li@example.com', 'Li Wei', 'chat', 'Upgrade to the Pro plan', 'Hello! What do I get with Pro, and can I pay yearly?', 'normal'],
    ['email:sam@example.com', 'Sam Okafor', 'email', 'Cannot log in', 'The password reset link says it has expired.', 'urgent'],
  ];
  for (const [identity, name, channel, subject, body, priority] of moments) {
    await ok(s, 'POST', '/api/v1/moments', { identity, name, channel, subject, priority, message: { body } });
  }
  return {
    s,
    teams: { sales, service },
    bob,
    ana,
    zoe,
    owner: { id: s.workspace.ownerId, name: 'Owner', email: 'owner@acme.test', password: 'correct horse battery' },
    sink,
    inbox: INBOX,
    annMessageId,
    stop: async () => {
      await s.stop();
      await sink.close();
    },
  };
}
