/**
 * What inbound mail may be, checked before anything is parsed or stored: total size (the SMTP
 * server refuses more during DATA), how deep multiparts and attached messages nest, and how
 * many MIME parts there are. A "zip bomb" of nested parts costs the parser far more than its bytes.
 */
export const MIME_LIMITS = { maxBytes: 25 * 1024 * 1024, maxDepth: 20, maxParts: 1000 } as const;

export type MimeLimits = { readonly maxDepth: number; readonly maxParts: number };

/** Why a message's structure was refused. */
export type MimeViolation = { readonly limit: 'depth' | 'parts'; readonly message: string };

/**
 * Walks the raw message's MIME tree (multipart boundaries and message/rfc822 parts) without
 * decoding any body, and names the first limit it breaks; null when the message is within them.
 * @example checkMimeStructure(raw, MIME_LIMITS) // null, or { limit: 'depth', message: '…' }
 */
export function checkMimeStructure(raw: Buffer, limits: MimeLimits = MIME_LIMITS): MimeViolation | null {
  let parts = 0;
  // latin1 maps every byte to one character: nothing is decoded, and each entity is a slice of
  // the message, so every search is bounded by the entity it looks in.
  const walk = (entity: string, depth: number): MimeViolation | null => {
    if (depth > limits.maxDepth) return { limit: 'depth', message: `MIME parts nest deeper than ${limits.maxDepth} levels` };
    if (++parts > limits.maxParts) return { limit: 'parts', message: `more than ${limits.maxParts} MIME parts` };
    const split = splitHeader(entity);
    if (split === null) return null;
    const type = contentType(split.header);
    if (type.value === 'message/rfc822' || type.value === 'message/global') return walk(split.body, depth + 1);
    if (!type.value.startsWith('multipart/') || !type.boundary) return null;
    for (const part of multipartBodies(split.body, type.boundary)) {
      const violation = walk(part, depth + 1);
      if (violation) return violation;
    }
    return null;
  };
  return walk(raw.toString('latin1'), 1);
}

// Longer header blocks are refused by the parser anyway (mailparser's maxHeadSize).
const MAX_HEADER = 1024 * 1024;

/** An entity's header block and its body (after the first empty line); null when it has no body. */
function splitHeader(entity: string): { readonly header: string; readonly body: string } | null {
  if (entity.startsWith('\r\n')) return { header: '', body: entity.slice(2) };
  if (entity.startsWith('\n')) return { header: '', body: entity.slice(1) };
  const head = entity.slice(0, MAX_HEADER);
  const crlf = head.indexOf('\r\n\r\n');
  const lf = head.indexOf('\n\n');
  if (crlf < 0 && lf < 0) return null;
  return crlf >= 0 && (lf < 0 || crlf < lf) ? { header: entity.slice(0, crlf), body: entity.slice(crlf + 4) } : { header: entity.slice(0, lf), body: entity.slice(lf + 2) };
}

function contentType(header: string): { readonly value: string; readonly boundary: string | null } {
  const unfolded = header.replace(/\r?\n[ \t]+/g, ' ');
  const line = /^content-type[ \t]*:(.*)$/im.exec(unfolded);
  if (!line) return { value: 'text/plain', boundary: null };
  const value = line[1]!.split(';')[0]!.trim().toLowerCase();
  const boundary = /;\s*boundary\s*=\s*(?:"([^"]+)"|([^;\s]+))/i.exec(line[1]!);
  return { value, boundary: boundary ? (boundary[1] ?? boundary[2]!) : null };
}

/** The parts between `--boundary` lines, up to the closing `--boundary--`. */
function* multipartBodies(body: string, boundary: string): Generator<string> {
  const delimiter = `--${boundary}`;
  let partStart = -1;
  let at = 0;
  for (;;) {
    const found = body.indexOf(delimiter, at);
    if (found < 0) break;
    at = found + delimiter.length;
    if (found !== 0 && body[found - 1] !== '\n') continue; // not at the start of a line
    const closing = body.startsWith('--', at);
    let lineEnd = body.indexOf('\n', at);
    if (lineEnd < 0) lineEnd = body.length;
    // `--b1` is not a delimiter line of `--b10`: only spaces may follow the boundary (or `--`).
    if (!closing && body.slice(at, lineEnd).trim() !== '') continue;
    if (partStart >= 0) yield body.slice(partStart, Math.max(partStart, found - (body[found - 2] === '\r' ? 2 : 1)));
    if (closing || lineEnd === body.length) return;
    partStart = lineEnd + 1;
  }
  // An unterminated multipart: its last part runs to the end, as parsers read it.
  if (partStart >= 0) yield body.slice(partStart);
}
