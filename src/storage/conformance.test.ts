/**
 * Runs the storage conformance suite against every backend: memory, sqlite (a temp file) and a
 * real etcd started for this file (the etcd leg fails, not skips, when the binary is missing).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type EtcdFixture, startEtcd } from '../../tests/fixtures/etcd.ts';
import { describeStorageConformance } from './conformance.ts';
import { openStorage } from './index.ts';

describeStorageConformance({
  name: 'memory',
  exclusiveRevisions: true,
  open: () => openStorage('memory://'),
});

let sqliteDir = '';
let sqliteCount = 0;
describeStorageConformance({
  name: 'sqlite',
  exclusiveRevisions: true,
  async setup() {
    sqliteDir = mkdtempSync(join(tmpdir(), 'flotilla-sqlite-'));
  },
  async teardown() {
    rmSync(sqliteDir, { recursive: true, force: true });
  },
  open: () => openStorage(`sqlite://${join(sqliteDir, `store-${++sqliteCount}.db`)}`),
});

let etcd: EtcdFixture | undefined;
let etcdCount = 0;
describeStorageConformance({
  name: 'etcd',
  exclusiveRevisions: false,
  async setup() {
    etcd = await startEtcd();
  },
  async teardown() {
    await etcd?.stop();
  },
  async open() {
    if (etcd === undefined) throw new Error('etcd did not start (see the setup failure)');
    // A fresh key prefix per test gives each test an empty keyspace on the shared etcd.
    return openStorage(`etcd://${etcd.endpoint}/conformance-${process.pid}-${++etcdCount}`);
  },
});
