import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Diagnostic } from '../routing/types.ts';
import { messagesByObject } from './status.ts';

describe('messagesByObject', () => {
  it('groups by object, errors before warnings, sorted and without repeats', () => {
    const d = (name: string, field: string, message: string, warning = false): Diagnostic => ({
      kind: 'VirtualService',
      namespace: 'default',
      name,
      field,
      message,
      ...(warning ? { severity: 'warning' as const } : {}),
    });
    const byObject = messagesByObject([
      d('reviews', 'spec.http[1].route', 'total destination weight is 0'),
      d(
        'reviews',
        'spec.http[0].route[0].destination.subset',
        'subset v9 is defined by no DestinationRule',
        true,
      ),
      d('reviews', 'spec.http[1].route', 'total destination weight is 0'),
      d('ratings', 'spec.http[0].timeout', 'invalid duration "soon"'),
    ]);
    assert.deepEqual([...byObject.keys()].sort(), [
      'VirtualService/default/ratings',
      'VirtualService/default/reviews',
    ]);
    assert.deepEqual(byObject.get('VirtualService/default/reviews'), [
      {
        level: 'ERROR',
        type: { name: 'InvalidConfig' },
        field: 'spec.http[1].route',
        message: 'total destination weight is 0',
      },
      {
        level: 'WARNING',
        type: { name: 'ConfigWarning' },
        field: 'spec.http[0].route[0].destination.subset',
        message: 'subset v9 is defined by no DestinationRule',
      },
    ]);
  });
});
