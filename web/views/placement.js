// Placement: templates (those with a binding) against clusters. Each cell shows the replicas the
// scheduler gave that cluster and how many are ready there; filters narrow the rows by
// namespace, policy and kind. A template's name opens its explanation.

import { h } from '../lib/dom.js';

export const title = 'Placement';
export const topics = ['placement'];

const STATES = /** @type {const} */ ({
  ready: 'ready',
  progressing: 'progressing',
  failed: 'failed to apply',
  pending: 'waiting for its Work',
  evicting: 'evicted, kept until replaced',
  removing: 'being removed',
});

/**
 * The workload page's address for a row.
 * @param {{ apiVersion: string, kind: string, namespace?: string, name: string }} r
 */
export function workloadHref(r) {
  const q = new URLSearchParams({ apiVersion: r.apiVersion, kind: r.kind, name: r.name });
  if (r.namespace) q.set('namespace', r.namespace);
  return `#/workload?${q}`;
}

/**
 * @param {any} p
 */
function policyLabel(p) {
  return p.kind === 'PropagationPolicy'
    ? `PropagationPolicy ${p.namespace}/${p.name}`
    : `ClusterPropagationPolicy ${p.name}`;
}

/**
 * @param {string} label
 * @param {string} id
 * @param {string[]} options
 * @param {string} value
 * @param {(v: string) => void} onChange
 */
function select(label, id, options, value, onChange) {
  const el = /** @type {HTMLSelectElement} */ (
    h(
      'select',
      { id },
      h('option', { value: '' }, 'all'),
      options.map((o) => h('option', { value: o }, o)),
    )
  );
  el.value = options.includes(value) ? value : '';
  el.addEventListener('change', () => onChange(el.value));
  return h('div', { class: 'filter' }, h('label', { for: id }, label), el);
}

/**
 * @param {any} row
 * @param {any} cell
 */
function cellView(row, cell) {
  if (!cell) return h('td', { class: 'cell none', 'aria-label': `${row.name} not on this cluster` }, '');
  const text =
    cell.replicas === undefined
      ? cell.state === 'ready'
        ? '✓'
        : '…'
      : `${cell.ready ?? 0}/${cell.replicas}`;
  const what =
    cell.replicas === undefined
      ? STATES[/** @type {keyof typeof STATES} */ (cell.state)]
      : `${cell.ready ?? 0} of ${cell.replicas} replica(s) ready, ${STATES[/** @type {keyof typeof STATES} */ (cell.state)]}`;
  return h(
    'td',
    {
      class: `cell ${cell.state}`,
      'data-cluster': cell.cluster,
      'data-state': cell.state,
      'aria-label': `${row.name} on ${cell.cluster}: ${what}`,
      title: cell.message ?? what,
    },
    text,
  );
}

/**
 * @param {HTMLElement} root
 * @param {import('../app.js').Ctx} ctx
 */
export function mount(root, ctx) {
  const filters = h('form', { class: 'filters', 'aria-label': 'Filters' });
  filters.addEventListener('submit', (e) => e.preventDefault());
  const summary = h('p', { class: 'summary', role: 'status' });
  const wrap = h('div', { class: 'scroll' });
  const legend = h(
    'ul',
    { class: 'legend', 'aria-label': 'Cell states' },
    Object.entries(STATES).map(([k, v]) => h('li', {}, h('span', { class: `swatch cell ${k}` }), v)),
  );
  root.append(
    h('h1', {}, 'Placement'),
    h(
      'p',
      { class: 'hint' },
      'Where each template runs: replicas ready / assigned per cluster. Select a name to see why.',
    ),
    filters,
    summary,
    wrap,
    legend,
  );
  /** @type {string} */
  let filterKey = '';
  const update = () => {
    const view = ctx.store.placement;
    if (!view) {
      wrap.replaceChildren(h('p', {}, 'Loading…'));
      return;
    }
    const ns = ctx.params.get('ns') ?? '';
    const policy = ctx.params.get('policy') ?? '';
    const kind = ctx.params.get('kind') ?? '';
    const kinds = [...new Set(view.rows.map((/** @type {any} */ r) => r.kind))].sort();
    // Rebuild the selects only when their choices change, so an open one is not closed.
    const key = JSON.stringify([view.namespaces, view.policies, kinds, ns, policy, kind]);
    if (key !== filterKey) {
      filterKey = key;
      filters.replaceChildren(
        select('Namespace', 'f-ns', view.namespaces, ns, (v) => ctx.setParams({ ns: v })),
        select('Policy', 'f-policy', view.policies, policy, (v) => ctx.setParams({ policy: v })),
        select('Kind', 'f-kind', kinds, kind, (v) => ctx.setParams({ kind: v })),
      );
    }
    const rows = view.rows.filter(
      (/** @type {any} */ r) =>
        (!ns || r.namespace === ns) &&
        (!policy || (r.policy && policyLabel(r.policy) === policy)) &&
        (!kind || r.kind === kind),
    );
    summary.textContent = `${rows.length} of ${view.rows.length} template(s) across ${view.clusters.length} cluster(s).`;
    const table = h(
      'table',
      { class: 'grid', 'aria-label': 'Placement' },
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          h('th', { scope: 'col' }, 'Template'),
          h('th', { scope: 'col', class: 'policy-col' }, 'Policy'),
          view.clusters.map((/** @type {string} */ c) => h('th', { scope: 'col', class: 'cluster-col' }, c)),
        ),
      ),
      h(
        'tbody',
        {},
        rows.map((/** @type {any} */ r) =>
          h(
            'tr',
            { 'data-template': r.id },
            h(
              'th',
              { scope: 'row' },
              h('a', { href: workloadHref(r) }, r.name),
              h('span', { class: 'kind' }, ` ${r.kind}${r.namespace ? ` · ${r.namespace}` : ''}`),
              r.scheduled.status === 'True'
                ? null
                : h(
                    'span',
                    { class: 'unscheduled', title: r.scheduled.message ?? '' },
                    ` not scheduled${r.scheduled.reason ? `: ${r.scheduled.reason}` : ''}`,
                  ),
            ),
            h('td', { class: 'policy-col' }, r.policy ? r.policy.name : h('em', {}, 'none')),
            view.clusters.map((/** @type {string} */ c) =>
              cellView(
                r,
                r.cells.find((/** @type {any} */ x) => x.cluster === c),
              ),
            ),
          ),
        ),
      ),
    );
    wrap.replaceChildren(rows.length === 0 ? h('p', {}, 'No templates match.') : table);
  };
  return { update };
}
