import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  bindingName,
  clusterOfExecutionNamespace,
  executionNamespace,
  fnv32a,
  safeEncodeString,
  workName,
} from './names.ts';

describe('Karmada names', () => {
  it('names bindings as lower(name-kind) with colons as dots', () => {
    assert.equal(bindingName('Deployment', 'reviews-v1'), 'reviews-v1-deployment');
    assert.equal(bindingName('ClusterRole', 'system::tom'), 'system..tom-clusterrole');
    assert.equal(bindingName('RoleBinding', 'system::tt:tom'), 'system..tt.tom-rolebinding');
  });
  it('hashes with 32-bit FNV-1a', () => {
    assert.equal(fnv32a(''), 0x811c9dc5);
    assert.equal(fnv32a('a'), 0xe40c292c);
    assert.equal(fnv32a('foobar'), 0xbf9cf968);
  });
  it('encodes safely and names Works after the lower-cased name', () => {
    assert.match(safeEncodeString('1234567890'), /^[bcdfghjklmnpqrstvwxz2456789]{10}$/);
    assert.match(
      workName('Deployment', 'Reviews-V1', 'default'),
      /^reviews-v1-[bcdfghjklmnpqrstvwxz2456789]+$/,
    );
    assert.notEqual(workName('Deployment', 'a', 'ns1'), workName('Deployment', 'a', 'ns2'));
  });
  it('maps clusters to execution namespaces and back', () => {
    assert.equal(executionNamespace('member1'), 'karmada-es-member1');
    assert.equal(clusterOfExecutionNamespace('karmada-es-member1'), 'member1');
    assert.equal(clusterOfExecutionNamespace('default'), undefined);
  });
});
