// Test helpers for the zone tests: tokenising a presentation string with the zone lexer.
import { lexZone } from '../../src/zone/lexer.js';
import type { Token } from '../../src/wire/rdata-text.js';

/** Tokens of one line of presentation text (parentheses allowed). */
export function tokens(text: string): Token[] {
  const out: Token[] = [];
  for (const e of lexZone(text, '<test>')) out.push(...e.tokens);
  return out;
}
