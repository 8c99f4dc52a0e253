import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import {
  ADMIN_GROUP,
  createTokenAuthenticator,
  ensureTokenFile,
  formatTokenFile,
  parseTokenFile,
} from './tokens.ts';

describe('static token file', () => {
  it('parses kube format with quoted groups, comments and blank lines', () => {
    const entries = parseTokenFile('# users\nabc,alice,u1,"dev,ops"\n\ndef,bob,u2\nghi,carol,u3,viewers\n');
    assert.deepEqual(entries, [
      { token: 'abc', user: 'alice', uid: 'u1', groups: ['dev', 'ops'] },
      { token: 'def', user: 'bob', uid: 'u2', groups: [] },
      { token: 'ghi', user: 'carol', uid: 'u3', groups: ['viewers'] },
    ]);
  });

  it('round-trips through formatTokenFile', () => {
    const entries = [{ token: 't0k', user: 'a b', uid: '1', groups: ['g1', 'g2'] }];
    assert.equal(formatTokenFile(entries), 't0k,"a b",1,"g1,g2"\n');
    assert.deepEqual(parseTokenFile(formatTokenFile(entries)), entries);
  });

  it('names the bad line', () => {
    assert.throws(() => parseTokenFile('ok,u,1\nonlytoken\n'), /line 2/);
  });

  it('creates an admin token once (0600, 32+ random bytes) and keeps it', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'flotilla-tokens-'));
    try {
      const path = join(dir, 'tokens.csv');
      const first = await ensureTokenFile(path);
      assert.match(first.adminToken, /^[A-Za-z0-9_-]{43,}$/);
      assert.equal((await stat(path)).mode & 0o777, 0o600);
      assert.match(
        await readFile(path, 'utf8'),
        new RegExp(`^${first.adminToken},[^,]+,[^,]+,"${ADMIN_GROUP}"\\n$`),
      );
      const second = await ensureTokenFile(path);
      assert.equal(second.adminToken, first.adminToken);
      const other = await ensureTokenFile(join(dir, 'other.csv'));
      assert.notEqual(other.adminToken, first.adminToken);
      await writeFile(path, 'x,nobody,1\n');
      await assert.rejects(ensureTokenFile(path), /system:masters/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('createTokenAuthenticator', () => {
  const authenticate = createTokenAuthenticator(
    parseTokenFile('tok-a,alice,1,"system:masters"\ntok-b,bob,2\n'),
  );

  const cases: Array<[string, string | undefined]> = [
    ['tok-a', 'alice'],
    ['tok-b', 'bob'],
    ['tok-', undefined],
    ['tok-a ', undefined],
    ['', undefined],
    ['TOK-A', undefined],
  ];
  for (const [token, user] of cases) {
    it(`maps ${JSON.stringify(token)} to ${user ?? 'nobody'}`, () => {
      assert.equal(authenticate(token)?.name, user);
    });
  }

  it('reports groups plus system:authenticated, and hands out copies', () => {
    const alice = authenticate('tok-a');
    assert.deepEqual(alice?.groups, ['system:masters', 'system:authenticated']);
    alice?.groups.push('evil');
    assert.deepEqual(authenticate('tok-a')?.groups, ['system:masters', 'system:authenticated']);
  });
});
