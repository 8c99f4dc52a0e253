// Policies: every PropagationPolicy and ClusterPropagationPolicy with the templates it claims,
// and every OverridePolicy and ClusterOverridePolicy with the templates it selects and what
// its rules change where.

import { h } from '../lib/dom.js';
import { workloadHref } from './placement.js';

export const title = 'Policies';
export const topics = ['policies'];

const KINDS = ['PropagationPolicy', 'ClusterPropagationPolicy', 'OverridePolicy', 'ClusterOverridePolicy'];

/** @param {any} p */
function card(p) {
  const name = `${p.namespace ? `${p.namespace}/` : ''}${p.name}`;
  const id = `p-${p.kind}-${name}`.replace(/[^a-zA-Z0-9-]/g, '-');
  const claims = p.kind.endsWith('PropagationPolicy');
  return h(
    'article',
    { class: 'card policy', 'aria-labelledby': id, 'data-policy': `${p.kind}/${name}` },
    h(
      'header',
      {},
      h('h3', { id }, name),
      p.priority ? h('span', { class: 'badge' }, `priority ${p.priority}`) : null,
      p.deleting ? h('span', { class: 'badge bad' }, 'deleting') : null,
    ),
    h('h4', {}, 'Selects'),
    h(
      'ul',
      {},
      p.selectors.length
        ? p.selectors.map((/** @type {string} */ x) => h('li', {}, x))
        : h('li', {}, 'every template in scope'),
    ),
    h('h4', {}, claims ? 'Placement' : 'Rules'),
    h(
      'ul',
      {},
      p.rules.map((/** @type {string} */ x) => h('li', {}, x)),
    ),
    h('h4', {}, claims ? `Claims (${p.templates.length})` : `Applies to (${p.templates.length})`),
    p.templates.length === 0
      ? h('p', { class: 'empty' }, claims ? 'no template yet' : 'no template with a binding')
      : h(
          'ul',
          { class: 'claims', 'aria-label': `${claims ? 'Claimed by' : 'Selected by'} ${name}` },
          p.templates.map((/** @type {any} */ t) =>
            h('li', {}, h('a', { href: workloadHref(t) }, `${t.kind} ${t.name}`)),
          ),
        ),
  );
}

/**
 * @param {HTMLElement} root
 * @param {import('../app.js').Ctx} ctx
 */
export function mount(root, ctx) {
  const body = h('div');
  root.append(h('h1', {}, 'Policies'), body);
  const update = () => {
    const view = ctx.store.policies;
    if (!view) {
      body.replaceChildren(h('p', {}, 'Loading…'));
      return;
    }
    body.replaceChildren(
      ...KINDS.map((kind) => {
        const list = view.policies.filter((/** @type {any} */ p) => p.kind === kind);
        const id = `k-${kind}`;
        return h(
          'section',
          { 'aria-labelledby': id },
          h(
            'h2',
            { id },
            `${kind === 'PropagationPolicy' ? 'PropagationPolicies' : `${kind.replace(/Policy$/, 'Policies')}`} (${list.length})`,
          ),
          list.length === 0
            ? h('p', { class: 'empty' }, 'none')
            : h('div', { class: 'cards' }, list.map(card)),
        );
      }),
    );
  };
  return { update };
}
