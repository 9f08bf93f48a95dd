// Writes one benchmark's section of bench/RESULTS.md, leaving every other section as it is.
// A section runs from its `## ` heading to the next `## ` heading (or the end of the file).

import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const RESULTS_PATH = join(import.meta.dirname, 'RESULTS.md');

/**
 * Replaces the section whose first line is `heading` with `section` (which starts with that
 * heading). A section not yet in the file goes right after the section headed `placeAfter` when
 * that one exists, else at the end. Returns the file's path.
 */
export function writeResultsSection(heading: string, section: string, placeAfter?: string): string {
  const text = existsSync(RESULTS_PATH) ? readFileSync(RESULTS_PATH, 'utf8') : '# Benchmark results\n';
  const body = section.endsWith('\n') ? section : `${section}\n`;
  const at = text.indexOf(heading);
  let out: string;
  if (at >= 0) {
    const next = text.indexOf('\n## ', at + heading.length);
    out = text.slice(0, at) + body + (next < 0 ? '' : text.slice(next + 1));
  } else {
    const anchor = placeAfter === undefined ? -1 : text.indexOf(placeAfter);
    const after = anchor < 0 ? -1 : text.indexOf('\n## ', anchor + 1);
    if (anchor >= 0 && after >= 0) out = `${text.slice(0, after + 1)}${body}\n${text.slice(after + 1)}`;
    else out = `${text.trimEnd()}\n\n${body}`;
  }
  writeFileSync(RESULTS_PATH, out);
  return RESULTS_PATH;
}
