import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parseExposition } from './prometheus.ts';

const FIXTURE = join(import.meta.dirname, 'testdata/istio-proxy.prom');

describe('prometheus: text exposition', () => {
  it("parses a proxy's scrape: Istio counters, histograms, gauges, timestamps, escapes", async () => {
    const text = await readFile(FIXTURE, 'utf8');
    const { samples, types, errors } = parseExposition(text);
    assert.deepEqual(errors, []);
    assert.equal(samples.length, 10);
    assert.equal(types.istio_requests_total, 'counter');
    assert.equal(types.istio_request_duration_milliseconds, 'histogram');

    const requests = samples.filter((s) => s.name === 'istio_requests_total');
    assert.equal(requests.length, 3);
    const first = requests[0];
    assert.equal(first?.value, 12);
    assert.equal(first?.labels.destination_workload, 'reviews-v2');
    assert.equal(first?.labels.destination_cluster, 'member2');
    assert.equal(first?.labels.grpc_response_status, '');
    assert.equal(requests[1]?.labels.response_flags, 'UF');

    const inf = samples.find((s) => s.labels.le === '+Inf');
    assert.equal(inf?.value, 12);
    assert.equal(samples.find((s) => s.name.endsWith('_sum'))?.value, 41.5);
    const uptime = samples.find((s) => s.name === 'envoy_server_uptime');
    assert.equal(uptime?.value, 350);
    assert.equal(uptime?.timestampMs, 1763686800000);
    const note = samples.find((s) => s.name === 'envoy_note');
    assert.equal(note?.labels.text, 'quote " backslash \\ newline \n end');
    assert.ok(Number.isNaN(note?.value));
  });

  const bad: [string, RegExp][] = [
    ['{a="b"} 1', /metric name/],
    ['m{a="b" 1', /',' or '}'/],
    ['m{a=b} 1', /'"' to open/],
    ['m{a="b} 1', /unterminated/],
    ['m{a="1",a="2"} 1', /twice/],
    ['m{1a="x"} 1', /label name/],
    ['m', /expected a value/],
    ['m one', /not a number/],
    ['m 1 2 3', /expected a value/],
    ['m 1 soon', /not a timestamp/],
  ];
  for (const [line, message] of bad) {
    it(`reports "${line}" with its line number and keeps the other lines`, () => {
      const { samples, errors } = parseExposition(`ok_total 1\n${line}\nother_total{x="y",} 2\n`);
      assert.deepEqual(
        samples.map((s) => [s.name, s.value]),
        [
          ['ok_total', 1],
          ['other_total', 2],
        ],
      );
      assert.equal(errors.length, 1);
      assert.equal(errors[0]?.line, 2);
      assert.match(errors[0]?.message ?? '', message);
    });
  }

  it('accepts +Inf, -Inf, exponents and CRLF line ends', () => {
    const { samples, errors } = parseExposition('a +Inf\r\nb -Inf\r\nc 1e3\r\nd -.5\r\n');
    assert.deepEqual(errors, []);
    assert.deepEqual(
      samples.map((s) => s.value),
      [Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 1000, -0.5],
    );
  });
});
