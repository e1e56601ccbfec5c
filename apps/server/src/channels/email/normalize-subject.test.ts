import { describe, expect, it } from 'vitest';
import { normalizeSubject, replySubject } from './normalize-subject.ts';

describe('subjects', () => {
  it('strips the reply prefixes of Gmail, Outlook, Apple Mail and other languages', () => {
    for (const s of ['Order late', 'Re: Order late', 'RE: Order late', 'AW: Re: order  late', 'SV: Order late', 'Antw: Order late', 'Re[2]: Order late', 'RE : Order late', '[Acme] Re: Order late', '回复：Order late']) {
      expect(normalizeSubject(s), s).toBe('order late');
    }
  });

  it('keeps forwards and words that only start like a prefix', () => {
    expect(normalizeSubject('Fwd: Order late')).toBe('fwd: order late');
    expect(normalizeSubject('Research: results')).toBe('research: results');
    expect(normalizeSubject('Resend: invoice')).toBe('resend: invoice');
  });

  it('answers with one "Re:"', () => {
    expect(replySubject('Order late')).toBe('Re: Order late');
    expect(replySubject('RE: AW: Order late')).toBe('Re: Order late');
  });
});
