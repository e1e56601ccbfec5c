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
  // A link opens outside the agent app and tells the site nothing about where it came from.
  transformTags: { a: sanitizeHtml.simpleTransform('a', { target: '_blank', rel: 'noopener noreferrer nofollow' }) },
  exclusiveFilter: (frame) => frame.tag === 'img' && !frame.attribs.src,
};

/**
 * Mail HTML made safe to show in the agent app: no scripts, styles, forms, frames, event
 * handlers or javascript: URLs; remote images dropped.
 * @example sanitizeEmailHtml('<p onclick="x()">Hi<script>steal()</script></p>') // '<p>Hi</p>'
 */
export function sanitizeEmailHtml(html: string): string {
  return sanitizeHtml(html, OPTIONS);
}
