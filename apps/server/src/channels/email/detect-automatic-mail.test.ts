import { describe, expect, it } from 'vitest';
import { detectAutomaticMail } from './detect-automatic-mail.ts';

const headers = (entries: Record<string, string>) => new Map(Object.entries(entries).map(([k, v]) => [k, [v]]));
const person = 'ann@example.com';

describe('detectAutomaticMail (RFC 3834, RFC 3464)', () => {
  it('lets a person through, including Auto-Submitted: no and Exchange suppression requests', () => {
    expect(detectAutomaticMail(headers({ subject: 'Help' }), person)).toBeNull();
    expect(detectAutomaticMail(headers({ 'auto-submitted': 'no' }), person)).toBeNull();
    expect(detectAutomaticMail(headers({ 'auto-submitted': 'No (a person wrote this)' }), person)).toBeNull();
    expect(detectAutomaticMail(headers({ 'x-auto-response-suppress': 'All' }), person)).toBeNull();
    expect(detectAutomaticMail(headers({ precedence: 'first-class' }), person)).toBeNull();
  });

  it('tells bounces apart', () => {
    expect(detectAutomaticMail(headers({ 'content-type': 'multipart/report; report-type=delivery-status; boundary="x"' }), '')).toEqual({ kind: 'bounce', reason: 'delivery status notification' });
    expect(detectAutomaticMail(headers({ 'content-type': 'multipart/report; report-type="delivery-status"' }), person)?.kind).toBe('bounce');
    // A read receipt is a report too, but not about delivery: automatic, not a bounce.
    expect(detectAutomaticMail(headers({ 'content-type': 'multipart/report; report-type=disposition-notification' }), '')?.kind).toBe('automatic');
  });

  it('flags every other robot', () => {
    const cases: [Record<string, string>, string][] = [
      [{ 'auto-submitted': 'auto-replied' }, person],
      [{ 'auto-submitted': 'auto-generated' }, person],
      [{}, ''],
      [{ precedence: 'bulk' }, person],
      [{ precedence: 'List' }, person],
      [{ precedence: 'junk' }, person],
      [{ precedence: 'auto_reply' }, person],
      [{ 'list-unsubscribe': '<mailto:u@list.example>' }, person],
      [{ 'list-id': 'news.example.com' }, person],
      [{ 'x-autoreply': 'yes' }, person],
    ];
    for (const [h, from] of cases) expect(detectAutomaticMail(headers(h), from)?.kind, JSON.stringify(h)).toBe('automatic');
  });
});
