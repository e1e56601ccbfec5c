import sanitizeHtml from 'sanitize-html';

// Layout attributes mail relies on; no style (CSS can fetch remote URLs) and no event handlers.
const LAYOUT = ['align', 'valign', 'width', 'height', 'colspan', 'rowspan', 'dir', 'title'];

const OPTIONS: sanitizeHtml.IOptions = {
  allowedTags: [...sanitizeHtml.defaults.allowedTags, 'img', 'font', 'center'],
  allowedAttributes: { '*': LAYOUT, a: ['href', 'name', 'target', 'rel', ...LAYOUT], img: ['src', 'alt', ...LAYOUT], font: ['color', 'size', 'face'] },
  allowedSchemes: ['http', 'https', 'mailto', 'tel'],
  // Remote images are tracking pixels as often as pictures: only inline parts (cid:) and data URLs
  // show; an image left without a source is dropped.
  allowedSchemesByTag: { img: ['cid', 'data'] },
  allowProtocolRelative: false,
  transformTags: {
    // A link opens outside the agent app and tells the site nothing about where it came from.
    // A relative one (scheme checks let it through) would point into the agent app itself.
    a: (tagName, attribs) => ({ tagName, attribs: { ...withOnly(attribs, 'href', ABSOLUTE_LINK), target: '_blank', rel: 'noopener noreferrer nofollow' } }),
    // A relative source would have the agent's browser fetch from Touchpoint's own origin, signed in.
    img: (tagName, attribs) => ({ tagName, attribs: withOnly(attribs, 'src', INLINE_IMAGE) }),
  },
  exclusiveFilter: (frame) => frame.tag === 'img' && !frame.attribs.src,
};

const ABSOLUTE_LINK = /^\s*(https?:|mailto:|tel:)/i;
const INLINE_IMAGE = /^\s*(cid:|data:image\/)/i;

/** The attributes, without `name` unless its value matches. */
function withOnly(attribs: sanitizeHtml.Attributes, name: string, allowed: RegExp): sanitizeHtml.Attributes {
  if (attribs[name] === undefined || allowed.test(attribs[name])) return attribs;
  const { [name]: _dropped, ...rest } = attribs;
  return rest;
}

/**
 * Mail HTML made safe to show in the agent app: no scripts, styles, forms, frames, event
 * handlers or javascript: URLs; remote and relative images dropped, relative links unlinked.
 * @example sanitizeEmailHtml('<p onclick="x()">Hi<script>steal()</script></p>') // '<p>Hi</p>'
 */
export function sanitizeEmailHtml(html: string): string {
  return sanitizeHtml(html, OPTIONS);
}
