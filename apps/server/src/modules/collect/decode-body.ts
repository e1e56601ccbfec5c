import zlib from 'node:zlib';
import { AppError } from '../../platform/errors.ts';
import { parseJsonBody } from '../../platform/json-body.ts';
import { findUnstorableText, UNSTORABLE_TEXT } from '../../platform/storable-text.ts';

/** A tracking body over its limit, as README documents it: 413 event_too_large or batch_too_large. */
export function tooLargeError(limit: number, code: 'event_too_large' | 'batch_too_large'): AppError {
  return new AppError(code, code === 'batch_too_large' ? `a batch may be at most ${limit / 1024} KB` : `an event may be at most ${limit / 1024} KB`, 'body');
}

/**
 * Decodes a tracking request body by its Content-Encoding, whatever its Content-Type:
 * the RudderStack client gzips JSON and labels it `application/x-www-form-urlencoded`.
 * The size limit applies after decompression, so a small gzip bomb cannot blow up memory.
 */
export function decodeBody(raw: Buffer, encoding: string | undefined, limit: number, code: 'event_too_large' | 'batch_too_large'): unknown {
  const tooLarge = () => tooLargeError(limit, code);
  let text: Buffer = raw;
  const enc = (encoding ?? 'identity').trim().toLowerCase();
  try {
    if (enc === 'gzip' || enc === 'x-gzip') text = zlib.gunzipSync(raw, { maxOutputLength: limit + 1 });
    else if (enc === 'deflate') text = zlib.inflateSync(raw, { maxOutputLength: limit + 1 });
    else if (enc !== 'identity' && enc !== '') throw new AppError('unsupported_encoding', `Content-Encoding ${enc} is not supported; use gzip, deflate or none`, 'content-encoding');
  } catch (error) {
    if (error instanceof AppError) throw error;
    if (error instanceof RangeError || (error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') throw tooLarge();
    throw new AppError('invalid_json', `body is not valid ${enc}`, 'body');
  }
  if (text.length > limit) throw tooLarge();
  if (text.length === 0) throw new AppError('invalid_json', 'body is empty', 'body');
  const value = parseJsonBody(text);
  // Raw UTF-8 cannot carry a NUL or a lone surrogate into a JSON string; only a \u escape
  // can. So the (costly) walk runs only for the rare body that has such an escape.
  if (mayHoldUnstorableEscape(text)) {
    const at = findUnstorableText(value, '');
    if (at !== null) throw new AppError('invalid_field', `${at || 'body'} ${UNSTORABLE_TEXT}`, at || 'body');
  }
  return value;
}

/** Whether the JSON holds a \u0000 or a \uD800–\uDFFF escape (or a backslash and text that look like one). */
function mayHoldUnstorableEscape(bytes: Buffer): boolean {
  for (let at = bytes.indexOf('\\u'); at >= 0; at = bytes.indexOf('\\u', at + 2)) {
    if (UNSTORABLE_ESCAPE.test(bytes.toString('latin1', at + 2, at + 6))) return true;
  }
  return false;
}

const UNSTORABLE_ESCAPE = /^(?:0000|[dD][89a-fA-F])/;
