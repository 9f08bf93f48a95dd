// Loading a YAML configuration: text → YAML syntax tree (with positions) → validated and
// normalised value. Every problem is reported as `file:line:column: message`; all problems are
// collected before failing, so an operator fixes a file in one pass.

import { LineCounter, parseDocument } from 'yaml';
import { AnchordError, ErrorCode } from '../core/errors.js';
import type { ConfigIssue, Schema, SchemaContext } from './schema.js';

export class ConfigError extends AnchordError {
  readonly issues: readonly ConfigIssue[];
  constructor(issues: readonly ConfigIssue[]) {
    super(ErrorCode.Config, issues.map((i) => `${i.file}:${i.line}:${i.column}: ${i.message}`).join('\n'));
    this.issues = issues;
  }
}

/** Upper bound on a configuration file's size: config is small; a huge file is a mistake or an attack. */
export const MAX_CONFIG_BYTES = 4 * 1024 * 1024;

export function parseConfigText<T>(text: string, file: string, schema: Schema<T>): T {
  if (text.length > MAX_CONFIG_BYTES) {
    throw new ConfigError([{ file, line: 1, column: 1, message: `file larger than ${MAX_CONFIG_BYTES} bytes` }]);
  }
  const lines = new LineCounter();
  // uniqueKeys rejects duplicate keys. Aliases are never expanded: schemas walk the syntax tree and
  // an alias node is not a value they accept, so an alias bomb costs nothing.
  const doc = parseDocument(text, { lineCounter: lines, uniqueKeys: true, prettyErrors: false });
  const issues: ConfigIssue[] = [];
  for (const e of [...doc.errors, ...doc.warnings]) {
    const pos = lines.linePos(e.pos[0]);
    issues.push({ file, line: pos.line, column: pos.col, message: e.message.split('\n')[0] ?? e.message });
  }
  if (issues.length > 0) throw new ConfigError(issues);
  const ctx: SchemaContext = { file, lines, errors: issues };
  const value = schema.parse(doc.contents, ctx, '');
  if (issues.length > 0 || value === undefined) {
    if (issues.length === 0) issues.push({ file, line: 1, column: 1, message: 'configuration is incomplete' });
    throw new ConfigError(issues);
  }
  return value;
}
