/**
 * A language as a moment names it (es, pt-BR): the API's pattern. A file of its own (exported as
 * `@touchpoint/contracts/language-tag`), so the web app checks a field by it without loading the schemas.
 */
export const LANGUAGE_TAG = '^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$';
