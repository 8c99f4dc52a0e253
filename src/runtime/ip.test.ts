import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cidrContains, IpAllocator, parseCidr } from './ip.ts';

describe('IpAllocator', () => {
  it('hands out addresses inside the CIDR, skipping .0 and .255', () => {
    const a = new IpAllocator('127.20.0.0/16');
    const seen = new Set<string>();
    for (let i = 0; i < 600; i++) {
      const ip = a.allocate(`pod-${i}`);
      assert.ok(cidrContains(a.cidr, ip), ip);
      assert.ok(!ip.endsWith('.0') && !ip.endsWith('.255'), ip);
      assert.ok(!seen.has(ip), `duplicate ${ip}`);
      seen.add(ip);
    }
    assert.equal(a.get('pod-0'), '127.20.0.1');
    assert.equal(a.allocate('pod-0'), '127.20.0.1', 'same owner, same address');
    assert.equal(a.size, 600);
  });

  it('frees addresses and honours a free preferred address', () => {
    const a = new IpAllocator('127.21.0.0/16');
    const ip = a.allocate('x');
    a.release('x');
    assert.equal(a.get('x'), undefined);
    assert.equal(a.size, 0);
    assert.equal(a.allocate('y', '127.21.4.7'), '127.21.4.7');
    assert.notEqual(a.allocate('z', '127.21.4.7'), '127.21.4.7', 'taken address not reused');
    assert.notEqual(a.allocate('w', '10.0.0.1'), '10.0.0.1', 'address outside the CIDR ignored');
    assert.ok(ip);
  });

  it('reports exhaustion and rejects malformed CIDRs', () => {
    const a = new IpAllocator('127.30.0.0/30');
    assert.equal(a.allocate('a'), '127.30.0.1');
    assert.equal(a.allocate('b'), '127.30.0.2');
    assert.throws(() => a.allocate('c'), RangeError);
    for (const bad of ['127.0.0.0', '127.0.0.0/33', '300.0.0.0/8', 'x/8']) {
      assert.throws(() => parseCidr(bad), TypeError, bad);
    }
    assert.equal(parseCidr('127.20.5.9/16').first, parseCidr('127.20.0.0/16').first);
  });
});
