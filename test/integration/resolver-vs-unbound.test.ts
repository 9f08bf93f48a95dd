// anchord against Unbound on a real hierarchy (issue 5, "Real peers in the tests").
//
// BIND's dnssec-signzone signs a root, two TLDs and sixteen SLDs (helpers/signed-hierarchy.ts);
// three NSD processes serve them on 127.61.0-2.x:53; anchord's resolver (in-process, real
// sockets) and Unbound both resolve from the same root hints and trust anchor. Every query of
// helpers/query-plan.ts goes to both with DO=1, twice (cold caches, then warm), and the RCODE, the
// AD bit and the answer RRsets (RRSIGs by presence, TTLs ignored) must agree, unless the
// difference is a row of known-differences.md (which must then still occur). EDE codes of
// SERVFAILs are reported, not compared.
//
// Loopback only: NSD on 127.61.0.1-127.61.2.4, anchord on 127.61.9.1, Unbound on 127.61.9.2.
// Every process started here is killed in after() (process groups), and leftovers of a killed
// run are reaped at the start (helpers/peer-process.ts). Set ANCHORD_INTEROP_REPORT=FILE to get
// every query and both answers as JSON lines.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readRootHints, readTrustAnchorFile } from '../../src/server/anchor-files.js';
import { startResolverService, type ResolverService } from '../../src/server/resolver-service.js';
import { typeFromString } from '../../src/wire/constants.js';
import { Name } from '../../src/wire/name.js';
import { describe, differences, readKnownDifferences, knownMatches, summarise, type KnownDifference, type Summary } from './helpers/answer-compare.js';
import { queryServer, type Server } from './helpers/dns-client.js';
import { pickFreePort, reapLeftovers, removeDir, type Daemon } from './helpers/peer-process.js';
import { startNsd, startUnbound } from './helpers/peers.js';
import { queryPlan, type PlannedQuery } from './helpers/query-plan.js';
import { buildHierarchy, PREFIX, type Hierarchy } from './helpers/signed-hierarchy.js';

const ANCHORD_ADDRESS = `${PREFIX}.9.1`;
const UNBOUND_ADDRESS = `${PREFIX}.9.2`;
const KNOWN = new URL('./known-differences.md', import.meta.url).pathname;

const daemons: Daemon[] = [];
let dir = '';
let hierarchy: Hierarchy | undefined;
let anchord: ResolverService | undefined;
let anchordServer: Server | undefined;
let unboundServer: Server | undefined;
let unboundLog = '';
let failed = false;

before(async () => {
  const reaped = reapLeftovers();
  if (reaped.length > 0) console.log(`reaped leftovers of an earlier run: ${reaped.join(', ')}`);
  dir = mkdtempSync(join(tmpdir(), 'anchord-vs-unbound-'));
  hierarchy = await buildHierarchy(dir);
  await startNsd(dir, hierarchy.nsdConfs, hierarchy.tiers, daemons);
  const port = await pickFreePort([ANCHORD_ADDRESS, UNBOUND_ADDRESS], [5361, 5362, 5363, 5364, 5365, 5366, 5367, 5368]);
  anchord = await startResolverService({
    listen: [`${ANCHORD_ADDRESS}:${port}`],
    rootHints: readRootHints(hierarchy.rootHintsFile),
    trustAnchors: readTrustAnchorFile(hierarchy.trustAnchorFile),
  });
  anchordServer = { address: ANCHORD_ADDRESS, port };
  const u = await startUnbound(
    {
      dir,
      address: UNBOUND_ADDRESS,
      port,
      rootHintsFile: hierarchy.rootHintsFile,
      trustAnchorFile: hierarchy.trustAnchorFile,
      localZonesToUnblock: ['test.', 'example.'],
    },
    daemons,
  );
  unboundLog = u.logFile;
  unboundServer = { address: UNBOUND_ADDRESS, port };
});

after(async () => {
  await anchord?.close(100);
  await Promise.all(daemons.map((d) => d.stop()));
  if (dir !== '') {
    if (failed && process.env['ANCHORD_INTEROP_KEEP'] === '1') console.log(`kept ${dir} (Unbound log ${unboundLog})`);
    else removeDir(dir);
  }
});

interface Row {
  readonly pass: number;
  readonly q: PlannedQuery;
  readonly anchord: Summary;
  readonly unbound: Summary;
}

async function ask(server: Server, q: PlannedQuery): Promise<Summary> {
  const type = typeFromString(q.type);
  if (type === undefined) throw new Error(`unknown type ${q.type}`);
  try {
    const r = await queryServer(server, Name.parse(q.name), type, { do: true, cd: q.cd ?? false, timeoutMs: 4000, tries: 3 });
    return summarise(r.message, r.tcp);
  } catch (e) {
    return { rcode: `NO ANSWER (${(e as Error).message})`, ad: false, rrsets: [], sigs: [], ede: [], tcp: false };
  }
}

test('anchord and Unbound agree on rcode, AD and answers over the BIND-signed, NSD-served hierarchy', async (t) => {
  assert.ok(anchordServer !== undefined && unboundServer !== undefined, 'both resolvers started');
  const known = readKnownDifferences(KNOWN);
  const used = new Set<KnownDifference>();
  const plan = queryPlan();
  assert.ok(plan.length >= 300, `several hundred queries planned (${plan.length})`);
  const rows: Row[] = [];
  const started = Date.now();
  for (const pass of [1, 2]) {
    for (const q of plan) {
      const [a, u] = await Promise.all([ask(anchordServer, q), ask(unboundServer, q)]);
      rows.push({ pass, q, anchord: a, unbound: u });
    }
  }
  const unexpected: string[] = [];
  const accepted: string[] = [];
  for (const r of rows) {
    for (const field of differences(r.anchord, r.unbound)) {
      const k = known.find((kd) => knownMatches(kd, r.q.name, r.q.type, field, r.anchord, r.unbound));
      const line = `pass ${r.pass} ${r.q.name} ${r.q.type}${r.q.cd === true ? ' +cd' : ''} (${r.q.kind}) ${field}:\n    anchord: ${describe(r.anchord)}\n    unbound: ${describe(r.unbound)}`;
      if (k === undefined) unexpected.push(line);
      else {
        used.add(k);
        accepted.push(`${line}\n    known (known-differences.md:${k.line})`);
      }
    }
  }
  const stale = known.filter((k) => !used.has(k)).map((k) => `known-differences.md:${k.line} ${k.name} ${k.type} ${k.field} no longer occurs`);

  // The report: EDE codes of SERVFAILs side by side, then accepted differences.
  const ede = rows
    .filter((r) => r.pass === 1 && (r.anchord.rcode === 'SERVFAIL' || r.unbound.rcode === 'SERVFAIL'))
    .map((r) => `${r.q.name} ${r.q.type}: anchord ${r.anchord.rcode} [${r.anchord.ede.join(', ')}] | unbound ${r.unbound.rcode} [${r.unbound.ede.join(', ')}]`);
  t.diagnostic(`${rows.length / 2} queries x 2 passes in ${((Date.now() - started) / 1000).toFixed(1)} s; ${unexpected.length} unexpected differences, ${accepted.length} known`);
  for (const l of ede) t.diagnostic(`SERVFAIL EDE: ${l}`);
  for (const l of accepted) t.diagnostic(`known difference: ${l}`);
  const reportFile = process.env['ANCHORD_INTEROP_REPORT'];
  if (reportFile !== undefined && reportFile !== '') {
    writeFileSync(reportFile, rows.map((r) => JSON.stringify(r)).join('\n') + '\n');
  }
  const counts = new Map<string, number>();
  for (const r of rows) counts.set(r.q.kind, (counts.get(r.q.kind) ?? 0) + 1);
  t.diagnostic(`kinds: ${[...counts].map(([k, v]) => `${k} ${v}`).join(', ')}`);

  for (const l of unexpected) t.diagnostic(`UNEXPECTED difference: ${l}`);

  failed = unexpected.length > 0 || stale.length > 0;
  // Short messages: the full list is in the diagnostics above (a long failure message pushes the
  // run's summary out of what run-tests.mjs reads).
  const shown = unexpected.slice(0, 6).join('\n');
  assert.ok(unexpected.length === 0, `${unexpected.length} differences not in known-differences.md (all listed above), first:\n${shown}`);
  assert.ok(stale.length === 0, `stale rows in known-differences.md:\n${stale.join('\n')}`);
});
