// `anchord trust-anchors status [--state FILE] [--config FILE] [--json]`: what the RFC 5011 state
// file says (server/trust-anchor-store.ts) and what the configuration holds, per trust point:
// each key's state (RFC 5011 §4.2), tag, algorithm, since when, and its next timed event (end of
// the add or remove hold-down, keep-missing end), with the refresh times (RFC 5011 §2.3). Like
// `rndc managed-keys status` and `unbound-control list_auto_trust_anchors`. The state file is
// `--state`, else the config's `resolver.auto-trust-anchor-file`.

import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import type { Argv } from 'yargs';
import { parseAnchordConfig, type AnchordConfig } from '../../config/anchord-config.js';
import { AnchordError, ErrorCode } from '../../core/errors.js';
import { nowSeconds, type Clock } from '../../core/clock.js';
import { keyTag } from '../../dnssec/key-tag.js';
import type { TrustPoint } from '../../dnssec/key-validator.js';
import { DEFAULT_RFC5011_PARAMS, KeyState, keyEventTime, type Rfc5011Params, type TrustPointState } from '../../dnssec/rfc5011.js';
import type { ManagedTrustPoint } from '../../dnssec/trust-anchor-spec.js';
import { configuredAnchorSet, rfc5011ParamsFromSettings } from '../../server/trust-anchor-manager.js';
import { loadTrustAnchorState, serializeTrustAnchorState } from '../../server/trust-anchor-store.js';
import { flag, optString, type Args } from '../args.js';
import type { CommandIO, CommandModule } from '../command.js';

function iso(t: number): string {
  return t === 0 ? 'never' : new Date(t * 1000).toISOString().replace('.000Z', 'Z');
}

function span(s: number): string {
  const parts: string[] = [];
  for (const [unit, n] of [['d', 86400], ['h', 3600], ['m', 60], ['s', 1]] as const) {
    if (s >= n) {
      parts.push(`${Math.floor(s / n)}${unit}`);
      s %= n;
    }
  }
  return parts.length === 0 ? '0s' : parts.join('');
}

function nextEvent(k: TrustPointState['keys'][number], params: Rfc5011Params, now: number): string {
  const t = keyEventTime(k, params);
  switch (k.state) {
    case KeyState.AddPend:
      return t === undefined ? '-' : `valid after ${iso(t)}${t <= now ? ' (at the next refresh)' : ''}, seen ${k.sightings}x (needs ${params.minSightings})`;
    case KeyState.Revoked:
      return t === undefined ? '-' : `removed after ${iso(t)}`;
    case KeyState.Missing:
      return t === undefined ? 'kept while missing' : `dropped after ${iso(t)} if another key is valid`;
    case KeyState.Valid:
      return 'trusted';
    case KeyState.Start:
      return 'forgotten unless seen again';
    case KeyState.Removed:
      return 'never trusted again';
  }
}

/** Lines describing one managed trust point. */
export function describeTrustPoint(p: TrustPointState, params: Rfc5011Params, now: number): string[] {
  const out: string[] = [];
  out.push(`${p.zone.toString()}  managed (RFC 5011)${p.deleted ? '  DELETED: every anchor revoked (RFC 5011 §5)' : ''}`);
  out.push(
    `  last refresh ${iso(p.lastQueried)}, last success ${iso(p.lastSuccess)}, failures ${p.queryFailed}; ` +
      `next refresh ${p.deleted ? 'none' : p.nextRefresh === 0 ? 'at start' : iso(p.nextRefresh)} (interval ${span(p.queryInterval)}, retry ${span(p.retryTime)})`,
  );
  for (const d of p.ds) {
    out.push(`  initial-ds ${(d[0]! << 8) | d[1]!} ${d[2]!} ${d[3]!}  trusted until a key it designates is seen`);
  }
  if (p.keys.length > 0) {
    out.push(`  ${'tag'.padEnd(6)}${'alg'.padEnd(5)}${'state'.padEnd(9)}${'since'.padEnd(22)}next event`);
    for (const k of p.keys) {
      out.push(`  ${String(k.tag).padEnd(6)}${String(k.algorithm).padEnd(5)}${k.state.padEnd(9)}${(k.lastChange === 0 ? 'configured' : iso(k.lastChange)).padEnd(22)}${nextEvent(k, params, now)}`);
    }
  }
  return out;
}

function describeStatic(tp: TrustPoint): string[] {
  const out = [`${tp.zone.toString()}  static`];
  for (const d of tp.ds) out.push(`  DS ${(d[0]! << 8) | d[1]!} ${d[2]!} ${d[3]!}`);
  for (const k of tp.dnskeys ?? []) out.push(`  DNSKEY ${(k[0]! << 8) | k[1]!} ${k[2]!} ${k[3]!}  tag ${keyTag(k)}`);
  return out;
}

function loadConfig(path: string): { config: AnchordConfig; base: string } {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new AnchordError(ErrorCode.Config, `cannot read ${path}: ${(e as Error).message}`);
  }
  return { config: parseAnchordConfig(text, path), base: dirname(resolve(path)) };
}

export interface StatusDeps {
  readonly clock?: Clock;
}

/** Runs `trust-anchors status`; resolves to the exit code. */
export function runTrustAnchorsStatus(args: Args, io: CommandIO, deps: StatusDeps = {}): Promise<number> {
  const now = deps.clock === undefined ? Math.floor(Date.now() / 1000) : nowSeconds(deps.clock);
  const configPath = optString(args, 'config');
  let statePath = optString(args, 'state');
  let params = DEFAULT_RFC5011_PARAMS;
  let statics: readonly TrustPoint[] = [];
  let managed: readonly ManagedTrustPoint[] = [];
  if (configPath !== undefined) {
    const { config, base } = loadConfig(configPath);
    const at = (p: string): string => (isAbsolute(p) ? p : resolve(base, p));
    const r = config.resolver;
    params = rfc5011ParamsFromSettings(r);
    ({ statics, managed } = configuredAnchorSet(r, at));
    const auto = r['auto-trust-anchor-file'];
    if (statePath === undefined && auto !== undefined) statePath = at(auto);
  }
  if (statePath === undefined && configPath === undefined) {
    throw new AnchordError(ErrorCode.Usage, 'trust-anchors status needs --state FILE or --config FILE');
  }
  let points: readonly TrustPointState[] = [];
  let code = 0;
  if (statePath !== undefined) {
    const load = loadTrustAnchorState(statePath);
    if (load.kind === 'loaded') points = load.points;
    else if (load.kind === 'absent') io.err(`anchord: no state file ${statePath} yet (the resolver writes it after its first refresh)`);
    else {
      io.err(`anchord: state file ${statePath} is unusable: ${load.reason}`);
      code = 1;
    }
  }
  if (flag(args, 'json')) {
    io.out(serializeTrustAnchorState(points, now).trimEnd());
    return Promise.resolve(code);
  }
  const lines: string[] = [];
  if (statePath !== undefined) lines.push(`state file ${statePath}`);
  const shown = new Set<string>();
  for (const p of points) {
    lines.push(...describeTrustPoint(p, params, now));
    shown.add(p.zone.key);
  }
  for (const m of managed) {
    if (shown.has(m.zone.key)) continue;
    lines.push(`${m.zone.toString()}  managed (RFC 5011), not refreshed yet: ${m.anchors.map((a) => `${a.type} ${(a.rdata[0]! << 8) | a.rdata[1]!}`).join(', ')}`);
  }
  for (const s of statics) lines.push(...describeStatic(s));
  if (lines.length === (statePath === undefined ? 0 : 1)) lines.push('no trust anchors');
  for (const l of lines) io.out(l);
  return Promise.resolve(code);
}

async function run(args: Args, io: CommandIO): Promise<number> {
  const action = optString(args, 'action');
  if (action !== 'status') throw new AnchordError(ErrorCode.Usage, `unknown trust-anchors action "${action ?? ''}" (status)`);
  return runTrustAnchorsStatus(args, io);
}

export const trustAnchorsCommand: CommandModule = {
  command: 'trust-anchors <action>',
  describe: 'show RFC 5011 trust anchor state (action: status)',
  builder: (y: Argv) =>
    y
      .positional('action', { type: 'string', choices: ['status'], describe: 'what to do' })
      .option('state', { type: 'string', describe: 'RFC 5011 state file (default: resolver.auto-trust-anchor-file of --config)' })
      .option('config', { type: 'string', describe: 'YAML configuration file (configured anchors, hold-down times)' })
      .option('json', { type: 'boolean', describe: 'print the state file as JSON' }),
  run,
};
