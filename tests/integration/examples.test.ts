/**
 * The project's copies of the seed manifests stay identical to the seed's, byte for byte.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';

const ROOT = join(import.meta.dirname, '../..');
const SEED = join(ROOT, '../shared/scenario');

describe('examples/bookinfo', () => {
  for (const file of ['bookinfo-karmada.yaml', 'propagation.yaml', 'bookinfo-gateway.yaml']) {
    it(`${file} is the seed's file, unchanged`, {
      skip: existsSync(SEED) ? false : 'no ../shared/scenario beside this checkout',
    }, () => {
      assert.equal(
        readFileSync(join(ROOT, 'examples/bookinfo', file), 'utf8'),
        readFileSync(join(SEED, file), 'utf8'),
      );
    });
  }
});
