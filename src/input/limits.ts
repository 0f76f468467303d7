/**
 * The limits one input row must keep, so that one hostile or broken row is reported as a bad row
 * instead of exhausting the stack or the memory of the run it is part of.
 */

/** The longest row, in bytes (UTF-8, without its line ending). */
export const MAX_ROW_BYTES = 1024 * 1024;
/** The deepest nesting of objects and arrays a JSON row may have (a customer with members is 4). */
export const MAX_ROW_DEPTH = 32;

/**
 * How deeply the objects and arrays of a JSON text nest, counted without recursion and without
 * parsing, so a row nested 100,000 deep costs one pass over its characters.
 *
 * @example
 * jsonDepthOf('{"members":[{"id":"m"}]}') // 3
 */
export function jsonDepthOf(text: string): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < text.length; i += 1) {
    const char = text.charCodeAt(i);
    if (inString) {
      if (char === 0x5c) i += 1;
      else if (char === 0x22) inString = false;
    } else if (char === 0x22) {
      inString = true;
    } else if (char === 0x7b || char === 0x5b) {
      depth += 1;
      if (depth > deepest) deepest = depth;
    } else if (char === 0x7d || char === 0x5d) {
      depth -= 1;
    }
  }
  return deepest;
}

/**
 * The dotted path of the first string (or key) in a parsed row that holds U+FFFD, the character a
 * decoder puts in place of bytes that are not UTF-8; `(line)` when none does (the bad bytes were
 * between the values). Iterative, so any depth is safe.
 *
 * @example
 * fieldWithReplacement({ members: [{ credentials: { password: 'pass\uFFFD(word' } }] }) // 'members[0].credentials.password'
 */
export function fieldWithReplacement(value: unknown): string {
  const stack: { path: string; value: unknown }[] = [{ path: '', value }];
  while (stack.length > 0) {
    const next = stack.shift();
    if (!next) break;
    if (typeof next.value === 'string') {
      if (next.value.includes('\uFFFD')) return next.path || '(line)';
      continue;
    }
    if (typeof next.value !== 'object' || next.value === null) continue;
    const entries = Array.isArray(next.value)
      ? next.value.map((child, index) => [`${next.path}[${index}]`, child] as const)
      : Object.entries(next.value).map(([key, child]) => [next.path ? `${next.path}.${key}` : key, child, key] as const);
    for (const entry of entries) {
      if (entry.length === 3 && entry[2].includes('\uFFFD')) return entry[0];
      stack.push({ path: entry[0], value: entry[1] });
    }
  }
  return '(line)';
}
