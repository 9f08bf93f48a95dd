// Every work-limit trip is counted (issue 5), the minimisation limit too: it only ends minimising
// (the full name is asked), but an operator sees how often it happens.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { Channel } from '../../src/core/diagnostics.js';
import { RRType, Rcode } from '../../src/wire/constants.js';
import { makeResolver, n } from './helpers/world.js';

test('the minimisation limit is counted when it ends minimising, and published on the budget channel', async () => {
  const seen: string[] = [];
  const onTrip = (m: unknown): void => {
    seen.push((m as { budget: string }).budget);
  };
  subscribe(Channel.budgetTrip, onTrip);
  try {
    const { resolver } = makeResolver({ limits: { maxMinimisedQueries: 2 } });
    const a = await resolver.resolve({ name: n('a.b.c.d.e.www.example.test.'), type: RRType.A }, {});
    assert.equal(a.rcode, Rcode.NXDOMAIN, JSON.stringify(a.ede));
    assert.ok(resolver.stats.trips.maxMinimisedQueries >= 1, `counted (${JSON.stringify(resolver.stats.trips)})`);
    assert.ok(seen.includes('maxMinimisedQueries'), `published (${seen.join(', ')})`);
  } finally {
    unsubscribe(Channel.budgetTrip, onTrip);
  }
});
