import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Command } from 'commander';
import { UsageError } from './errors.ts';
import { addFlags, FLAGS, type FlagName, flagTable, readFlags, storeUrl } from './flags.ts';

function parse(names: readonly FlagName[], argv: string[]) {
  const command = addFlags(new Command('t').exitOverride(), names);
  command.parse(argv, { from: 'user' });
  return readFlags(command, names);
}

describe('flags', () => {
  it('applies defaults and tells given flags from defaults', () => {
    const { values, given } = parse(['members', 'port', 'store', 'detach'], ['--port', '0']);
    assert.deepEqual(values, { members: ['member1', 'member2'], port: 0, store: 'sqlite', detach: false });
    assert.deepEqual([...given], ['port']);
  });

  it("reads --members '' as no members", () => {
    assert.deepEqual(parse(['members'], ['--members', '']).values.members, []);
    assert.deepEqual(parse(['members'], ['--members', ' a , b-2 ']).values.members, ['a', 'b-2']);
  });

  const bad: Array<[FlagName, string, RegExp]> = [
    ['port', 'abc', /^--port must be a number between 0 and 65535, got "abc"$/],
    ['port', '65536', /got "65536"/],
    ['port', '1e3', /got "1e3"/],
    ['gatewayPort', '-1', /^--gateway-port must be a number/],
    ['members', 'a,a', /names "a" twice/],
    ['members', 'UPPER', /got "UPPER"/],
    [
      'store',
      'mysql://x',
      /^--store must be sqlite, memory, sqlite:\/\/PATH or etcd:\/\/HOST:PORT, got "mysql:\/\/x"$/,
    ],
    ['runtime', 'docker', /^--runtime must be process or simulated, got "docker"$/],
    ['demo', 'sockshop', /^--demo must be bookinfo, got "sockshop"$/],
    ['host', 'a b', /^--host must be an IP address or host name/],
    ['stateDir', ' ', /^--state-dir must not be empty$/],
  ];
  for (const [name, value, message] of bad) {
    it(`rejects ${FLAGS[name].syntax.split(' ')[0]} ${JSON.stringify(value)}`, () => {
      assert.throws(
        () => parse([name], [FLAGS[name].syntax.split(' ')[0] ?? '', value]),
        (err) => err instanceof UsageError && message.test(err.message),
      );
    });
  }

  it('accepts every store form', () => {
    for (const store of ['sqlite', 'memory', 'memory://', 'sqlite:///x/y.db', 'etcd://h:2379,h2:2379/p']) {
      assert.equal(parse(['store'], ['--store', store]).values.store, store);
    }
    assert.equal(storeUrl('sqlite', '/s'), 'sqlite:///s/store.db');
    assert.equal(storeUrl('memory', '/s'), 'memory://');
    assert.equal(storeUrl('etcd://h:1', '/s'), 'etcd://h:1');
  });

  it('renders every flag in the docs table', () => {
    const table = flagTable();
    for (const spec of Object.values(FLAGS)) assert.ok(table.includes(spec.syntax), spec.syntax);
  });
});
