import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { resources } from '../../client/resources.ts';
import { type Harness, startHarness } from '../testing/harness.ts';
import { waitFor } from '../testing/wait.ts';

describe('ServiceAccount controller', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
  });
  after(async () => {
    await h.close();
  });

  const getDefault = (ns: string) =>
    h.client.get(resources.serviceaccounts, { name: 'default', namespace: ns });

  it('creates the default ServiceAccount in a new namespace and recreates it when deleted', async () => {
    await h.client.create(resources.namespaces, {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: 'team-a' },
    });
    const first = await waitFor('default SA', () => getDefault('team-a'));
    assert.equal(first.metadata.namespace, 'team-a');
    await h.client.delete(resources.serviceaccounts, { name: 'default', namespace: 'team-a' });
    const second = await waitFor('default SA recreated', async () => {
      const sa = await getDefault('team-a');
      return sa.metadata.uid !== first.metadata.uid && sa;
    });
    assert.equal(second.metadata.name, 'default');
  });

  it('covers namespaces that existed before it started', async () => {
    await waitFor('default SA in default', () => getDefault('default'));
  });
});
