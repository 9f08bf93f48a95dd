// Signs small zones with BIND's dnssec-keygen and dnssec-signzone at test time (bind9-utils).
// A missing tool is a failure that says how to get it, never a skipped test.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SignedZone } from './zone-data.js';

const TOOLS = ['dnssec-keygen', 'dnssec-signzone'];

/** Throws, saying how to install them, when BIND's signing tools are missing. */
export function requireBindTools(): void {
  for (const t of TOOLS) {
    const found = spawnSync('sh', ['-c', `command -v ${t}`], { stdio: 'ignore' }).status === 0;
    if (!found) throw new Error(`${t} not found: run \`npm run test:setup\` (installs bind9-utils), then rerun the tests`);
  }
}

export interface SignOptions {
  /** Working directory for this zone's keys and files (created). */
  readonly dir: string;
  readonly origin: string;
  /** Zone text; `$TTL` is prepended. */
  readonly text: string;
  readonly algorithm?: string;
  /** NSEC3 with salt (hex or `-`), iterations and opt-out; NSEC when absent. */
  readonly nsec3?: { readonly salt: string; readonly iterations: number; readonly optOut?: boolean };
  /** Signature inception and expiration (YYYYMMDDHHMMSS); default 2024-01-01 .. 2037-01-01. */
  readonly start?: string;
  readonly end?: string;
}

/** Generates a KSK and a ZSK, signs, and loads the result with its dsset. */
export function signZone(o: SignOptions): SignedZone {
  mkdirSync(o.dir, { recursive: true });
  const alg = o.algorithm ?? 'ECDSAP256SHA256';
  execFileSync('dnssec-keygen', ['-q', '-K', o.dir, '-a', alg, '-f', 'KSK', o.origin], { stdio: 'pipe' });
  execFileSync('dnssec-keygen', ['-q', '-K', o.dir, '-a', alg, o.origin], { stdio: 'pipe' });
  const file = join(o.dir, 'zone.db');
  const out = join(o.dir, 'zone.signed');
  writeFileSync(file, `$TTL 3600\n${o.text}\n`);
  const args = ['-q', '-P', '-K', o.dir, '-d', o.dir, '-S', '-o', o.origin];
  args.push('-s', o.start ?? '20240101000000', '-e', o.end ?? '20370101000000', '-f', out);
  if (o.nsec3 !== undefined) {
    args.push('-3', o.nsec3.salt, '-H', String(o.nsec3.iterations));
    if (o.nsec3.optOut === true) args.push('-A');
  }
  args.push(file);
  execFileSync('dnssec-signzone', args, { stdio: 'pipe', cwd: o.dir });
  const dsset = readFileSync(join(o.dir, `dsset-${o.origin}`), 'utf8');
  return SignedZone.fromText(readFileSync(out, 'utf8'), o.origin, dsset);
}

/** The dsset file of a signed zone, as zone text to paste into its parent. */
export function dssetText(dir: string, origin: string): string {
  return readFileSync(join(dir, `dsset-${origin}`), 'utf8');
}
