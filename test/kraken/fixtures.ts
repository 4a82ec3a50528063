/**
 * Loads the wire fixtures extracted from the Kraken references (`test/fixtures/extract-fixtures.mjs`). Files keep
 * the exact block text (`.json.txt`), so number literals keep their trailing zeros.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = join(__dirname, '..', 'fixtures');

export function fixtureText(venue: 'spot' | 'futures', name: string): string {
  return readFileSync(join(root, venue, `${name}.json.txt`), 'utf8');
}

export function spotFixture(name: string): unknown {
  return JSON.parse(fixtureText('spot', name)) as unknown;
}

export function futuresFixture(name: string): unknown {
  return JSON.parse(fixtureText('futures', name)) as unknown;
}

/** A fixture as a plain object to modify in a test. */
export function mutableFixture(venue: 'spot' | 'futures', name: string): Record<string, unknown> {
  return JSON.parse(fixtureText(venue, name)) as Record<string, unknown>;
}
