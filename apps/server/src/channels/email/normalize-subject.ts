// Reply prefixes mail clients add, by language: Re (most), AW (German), SV (Nordic), VS (Finnish),
// Antw (Dutch), R/RIF (Italian), RES (Portuguese), Odp (Polish), YNT (Turkish), 回复/答复 (Chinese).
// Forward prefixes are left alone: a forwarded mail starts a new conversation.
const REPLY_PREFIX = /^\s*(?:\[[^\]]{0,40}\]\s*)?(?:re|aw|sv|vs|antw|antwort|r|rif|res|odp|ynt|回复|答复)\s*(?:\[\d+\]|\(\d+\))?\s*[:：]\s*/i;

/**
 * A subject without reply prefixes, case and runs of spaces, for matching a reply to the
 * conversation it answers: "RE: AW: Order  late" and "order late" are the same thread.
 * @example normalizeSubject('AW: Re: Order late') // 'order late'
 */
export function normalizeSubject(subject: string): string {
  return withoutReplyPrefixes(subject).replace(/\s+/g, ' ').trim().toLowerCase();
}

/** The subject of our reply: "Re: " once, whatever prefixes the customer's client piled up. */
export function replySubject(subject: string): string {
  return `Re: ${withoutReplyPrefixes(subject).trim()}`;
}

function withoutReplyPrefixes(subject: string): string {
  let text = subject;
  for (let i = 0; i < 10; i++) {
    const next = text.replace(REPLY_PREFIX, '');
    if (next === text) break;
    text = next;
  }
  return text;
}
