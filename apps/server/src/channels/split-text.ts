/** Splits text at line or word breaks into pieces of at most `max` characters (providers cap a message's length). */
export function splitText(text: string, max: number): string[] {
  const pieces: string[] = [];
  let rest = text.trim();
  while (rest.length > max) {
    const window = rest.slice(0, max);
    const cut = Math.max(window.lastIndexOf('\n'), window.lastIndexOf(' '));
    // With no break in the second half, cut at the limit, but never inside a surrogate pair (an emoji).
    const at = cut > max / 2 ? cut : /[\ud800-\udbff]/.test(window.at(-1) ?? '') ? max - 1 : max;
    pieces.push(rest.slice(0, at).trimEnd());
    rest = rest.slice(at).trimStart();
  }
  if (rest !== '') pieces.push(rest);
  return pieces;
}
