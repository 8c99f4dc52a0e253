// Clusters: one card per member cluster with its mode, Ready condition and the history of that
// condition drawn as a timeline, Kubernetes version, capacity used and free, and taints.

import { ago, amount, clock, h, s } from '../lib/dom.js';

export const title = 'Clusters';
export const topics = ['clusters'];

/**
 * @typedef {{ at: string, status: string, reason?: string }} ReadyEvent
 */

/**
 * The Ready history as a bar: one segment per state, from the first event (or five minutes
 * ago, whichever is earlier) to now.
 * @param {string} name
 * @param {ReadyEvent[]} history
 * @param {number} now
 */
function timeline(name, history, now) {
  const start = Math.min(now - 5 * 60_000, ...history.map((e) => Date.parse(e.at)));
  const span = Math.max(1, now - start);
  const segments = history.map((e, i) => {
    const from = Date.parse(e.at);
    const to = i + 1 < history.length ? Date.parse(/** @type {ReadyEvent} */ (history[i + 1]).at) : now;
    const x = ((from - start) / span) * 300;
    const w = Math.max(1, ((to - from) / span) * 300);
    return s(
      'rect',
      { x, y: 0, width: w, height: 12, class: `seg seg-${e.status.toLowerCase()}` },
      s('title', {}, `${e.status} from ${clock(e.at)}${e.reason ? ` (${e.reason})` : ''}`),
    );
  });
  const last = history[history.length - 1];
  const label = last
    ? `Ready ${last.status} since ${clock(last.at)}; ${history.length - 1} transition(s) seen`
    : 'no readiness recorded yet';
  return h(
    'figure',
    { class: 'timeline' },
    s(
      'svg',
      {
        viewBox: '0 0 300 12',
        preserveAspectRatio: 'none',
        role: 'img',
        'aria-label': `${name} readiness: ${label}`,
      },
      s('rect', { x: 0, y: 0, width: 300, height: 12, class: 'seg seg-none' }),
      segments,
    ),
    h('figcaption', {}, h('span', {}, clock(new Date(start).toISOString())), h('span', {}, 'now')),
    h(
      'ol',
      { class: 'history', 'aria-label': `${name} readiness history` },
      history
        .slice(-5)
        .reverse()
        .map((e) =>
          h('li', {}, `${clock(e.at)} `, h('strong', {}, e.status), e.reason ? ` ${e.reason}` : ''),
        ),
    ),
  );
}

/**
 * @param {{ resource: string, allocatable: number, used: number, free: number }} c
 * @param {string} cluster
 */
function capacity(c, cluster) {
  const id = `cap-${cluster}-${c.resource}`;
  return h(
    'div',
    { class: 'capacity', 'data-resource': c.resource },
    h('label', { for: id }, c.resource),
    h('meter', { id, min: 0, max: c.allocatable || 1, value: c.used, high: c.allocatable * 0.8 }),
    h(
      'span',
      { class: 'cap-text' },
      `${amount(c.resource, c.used)} used, ${amount(c.resource, c.free)} free of ${amount(c.resource, c.allocatable)}`,
    ),
  );
}

/**
 * @param {any} c a cluster row
 * @param {number} now
 */
function card(c, now) {
  const ready = c.ready === 'True';
  const field = (/** @type {string} */ name, /** @type {string} */ label, /** @type {any} */ value) => [
    h('dt', {}, label),
    h('dd', { 'data-field': name }, value ?? '-'),
  ];
  return h(
    'article',
    {
      class: `card cluster ${ready ? 'ok' : 'bad'}`,
      'aria-labelledby': `cluster-${c.name}`,
      'data-cluster': c.name,
    },
    h(
      'header',
      {},
      h('h2', { id: `cluster-${c.name}` }, c.name),
      h(
        'span',
        { class: `badge ${ready ? 'ok' : 'bad'}`, 'data-field': 'ready', title: c.message ?? '' },
        ready ? 'Ready' : c.ready === 'False' ? 'Not ready' : 'Unknown',
      ),
    ),
    h(
      'dl',
      {},
      field('mode', 'Mode', c.mode),
      field('version', 'Kubernetes', c.version),
      field('since', 'Ready since', c.since ? `${clock(c.since)} (${ago(c.since, now)})` : undefined),
      field('reason', 'Reason', c.reason),
      field('nodes', 'Nodes', c.nodes ? `${c.nodes.ready}/${c.nodes.total} ready` : undefined),
      c.region || c.zone ? field('zone', 'Region / zone', `${c.region ?? '-'} / ${c.zone ?? '-'}`) : null,
      field(
        'taints',
        'Taints',
        c.taints.length === 0
          ? 'none'
          : h(
              'ul',
              { class: 'taints' },
              c.taints.map((/** @type {any} */ t) =>
                h('li', { class: 'taint' }, `${t.key}${t.value ? `=${t.value}` : ''}:${t.effect}`),
              ),
            ),
      ),
    ),
    c.deleting ? h('p', { class: 'warn' }, 'being removed') : null,
    h(
      'section',
      { 'aria-label': `${c.name} capacity` },
      c.capacity.map((/** @type {any} */ x) => capacity(x, c.name)),
    ),
    timeline(c.name, c.history, now),
  );
}

/**
 * @param {HTMLElement} root
 * @param {import('../app.js').Ctx} ctx
 */
export function mount(root, ctx) {
  const summary = h('p', { class: 'summary' });
  const grid = h('div', { class: 'cards' });
  root.append(h('h1', {}, 'Clusters'), summary, grid);
  const update = () => {
    const view = ctx.store.clusters;
    if (!view) {
      grid.replaceChildren(h('p', {}, 'Loading…'));
      return;
    }
    const now = Date.now();
    const ready = view.clusters.filter((/** @type {any} */ c) => c.ready === 'True').length;
    summary.textContent =
      view.clusters.length === 0
        ? 'No member clusters yet. Join one with flotilla join NAME --kubeconfig FILE.'
        : `${ready} of ${view.clusters.length} cluster(s) ready.`;
    grid.replaceChildren(...view.clusters.map((/** @type {any} */ c) => card(c, now)));
  };
  // Times and timelines move on even when nothing changes.
  const tick = setInterval(update, 10_000);
  return { update, unmount: () => clearInterval(tick) };
}
