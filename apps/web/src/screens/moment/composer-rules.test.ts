import { describe, expect, it } from 'vitest';
import type { Message } from '../../api/types.ts';
import { aMoment } from '../../test/moment-fixture.ts';
import { ccOf, composerRules, mentionable, replySubject, smsSegments, templatesOf, WHATSAPP_WINDOW_MS, type ComposerInput } from './composer-rules.ts';

const NOW = Date.UTC(2026, 10, 26, 12);
const inbound = (msAgo: number, meta: Record<string, unknown> = {}, address: string | null = null): Pick<Message, 'direction' | 'createdAt' | 'meta' | 'address'> => ({ direction: 'in', createdAt: new Date(NOW - msAgo).toISOString(), meta, address });
const input = (patch: Partial<ComposerInput> & { channel?: string }): ComposerInput => ({
  moment: aMoment({ channel: patch.channel ?? 'chat', ownerId: 'bob' }),
  messages: [inbound(60_000)],
  agentId: 'bob',
  readOnly: false,
  text: '',
  now: NOW,
  ...patch,
});

describe("the composer's channel rules", () => {
  it('email: replies go out as "Re: subject" and show who was in Cc', () => {
    const rules = composerRules(input({ channel: 'email', messages: [inbound(60_000, { cc: ['pat@example.com', 'lee@example.com'] })] }));
    expect(rules.email).toEqual({ subject: 'Re: Card charged twice', cc: ['pat@example.com', 'lee@example.com'] });
    expect(rules.window).toBeNull();
    expect(replySubject('RE: Card charged twice')).toBe('RE: Card charged twice');
    expect(ccOf({ cc: 'a@x.com, b@y.com' })).toEqual(['a@x.com', 'b@y.com']);
  });

  it('email: after a colleague the customer copied in writes, suggests copying the colleague, never the customer the reply goes to', () => {
    const fay = inbound(120_000, { from: 'fay@bigco.example', cc: ['gus@bigco.example'] }, 'fay@bigco.example');
    const gus = inbound(60_000, { from: 'gus@bigco.example', participant: true, cc: ['Fay@bigco.example', 'ida@bigco.example'] }, 'gus@bigco.example');
    expect(composerRules(input({ channel: 'email', messages: [fay, gus] })).email?.cc).toEqual(['gus@bigco.example', 'ida@bigco.example']);
  });

  it('WhatsApp: free text within 24 hours of the customer’s last message, templates only after', () => {
    const open = composerRules(input({ channel: 'whatsapp', messages: [inbound(WHATSAPP_WINDOW_MS - 60_000)] }));
    expect(open.window).toEqual({ open: true, closesAt: NOW + 60_000 });
    expect(open.templateOnly).toBe(false);
    const closed = composerRules(input({ channel: 'whatsapp', messages: [inbound(WHATSAPP_WINDOW_MS + 1)] }));
    expect(closed.templateOnly).toBe(true);
    // The business writing first is outside any window too.
    expect(composerRules(input({ channel: 'whatsapp', messages: [] })).templateOnly).toBe(true);
  });

  it('SMS: counts segments (160 alone, 153 each once split) and takes no files', () => {
    expect(smsSegments('x'.repeat(160))).toBe(1);
    expect(smsSegments('x'.repeat(161))).toBe(2);
    expect(smsSegments('x'.repeat(307))).toBe(3);
    const rules = composerRules(input({ channel: 'sms', text: 'hello' }));
    expect(rules.smsSegments).toBe(1);
    expect(rules.attachments).toBe(false);
  });

  it('only the owner answers the customer; analysts, closed moments and calls cannot be replied to', () => {
    expect(composerRules(input({ agentId: 'ana' })).replyBlocked).toMatch(/Only the owner/);
    expect(composerRules(input({ readOnly: true })).replyBlocked).toMatch(/read moments/);
    expect(composerRules(input({ moment: aMoment({ status: 'closed', ownerId: 'bob' }) })).replyBlocked).toMatch(/closed/);
    expect(composerRules(input({ channel: 'voice' })).replyBlocked).toMatch(/phone/);
    expect(composerRules(input({})).replyBlocked).toBeNull();
  });

  it('reads approved templates from a channel’s settings', () => {
    expect(templatesOf({ templates: [{ name: 'order_update', language: 'en_US', body: 'Your order…' }, { name: 'hello' }, { nope: 1 }] })).toEqual([
      { name: 'order_update', language: 'en_US', body: 'Your order…' },
      { name: 'hello', language: 'en_US', body: undefined },
    ]);
  });

  it('offers for @mention only the people who may open the moment, as the server checks', () => {
    const people = [
      { id: 'bob', role: 'agent', teamIds: [] },
      { id: 'sue', role: 'agent', teamIds: ['service'] },
      { id: 'tim', role: 'agent', teamIds: ['sales'] },
      { id: 'lee', role: 'agent', teamIds: ['social'] },
      { id: 'pat', role: 'agent', teamIds: [] },
      { id: 'ann', role: 'admin', teamIds: [] },
      { id: 'ana', role: 'analyst', teamIds: [] },
    ] as const;
    const ids = (m: Parameters<typeof mentionable>[1]) => mentionable(people, m).map((a) => a.id);
    expect(ids(aMoment({ ownerId: 'bob', teamId: 'service' }))).toEqual(['bob', 'sue', 'ann', 'ana']);
    const handoff = { fromOwnerId: 'bob', toTeamId: 'sales', toAgentId: 'pat', reason: 'billing', note: null, requestedAt: new Date(NOW).toISOString(), requestedBy: 'bob' };
    expect(ids(aMoment({ ownerId: 'bob', teamId: null, handoff }))).toEqual(['bob', 'tim', 'pat', 'ann', 'ana']);
  });
});
