// Traffic: services as a graph across clusters (a node per workload@cluster, an edge per
// caller → callee with live request and error rates), and a service's request split across
// versions and clusters. Numbers come from the mesh's istio_requests_total counters, as rates
// over the server's window.

import { colourIndex, h, percent, rate, s } from '../lib/dom.js';

export const title = 'Traffic';
export const topics = ['traffic', 'clusters'];

const COL = 290;
const GAP = 22;
const BOX_W = 176;
const BOX_H = 42;
/** Vertical room per incoming edge, so each arriving edge's label has a line of its own. */
const PER_EDGE = 15;

/**
 * Columns by longest path from the callers nobody calls (the gateway, usually).
 * @param {any[]} nodes
 * @param {any[]} edges
 */
function layout(nodes, edges) {
  /** @type {Map<string, number>} */
  const depth = new Map(nodes.map((n) => [n.id, 0]));
  for (let i = 0; i < nodes.length; i++) {
    let changed = false;
    for (const e of edges) {
      if (e.from === e.to) continue;
      const d = (depth.get(e.from) ?? 0) + 1;
      if (d > (depth.get(e.to) ?? 0) && d < nodes.length) {
        depth.set(e.to, d);
        changed = true;
      }
    }
    if (!changed) break;
  }
  /** @type {Map<number, any[]>} */
  const columns = new Map();
  for (const n of nodes) {
    const d = depth.get(n.id) ?? 0;
    columns.set(d, [...(columns.get(d) ?? []), n]);
  }
  /** @type {Map<string, number>} */
  const incoming = new Map();
  for (const e of edges) incoming.set(e.to, (incoming.get(e.to) ?? 0) + 1);
  /** @type {Map<string, { x: number, y: number, h: number }>} */
  const at = new Map();
  let height = 0;
  for (const [d, list] of columns) {
    list.sort((a, b) => a.cluster.localeCompare(b.cluster) || a.workload.localeCompare(b.workload));
    let y = 10;
    for (const n of list) {
      const tall = Math.max(BOX_H, PER_EDGE * (incoming.get(n.id) ?? 0) + 12);
      at.set(n.id, { x: 10 + d * COL, y, h: tall });
      y += tall + GAP;
    }
    height = Math.max(height, y - GAP + 10);
  }
  return { at, width: 20 + Math.max(1, columns.size) * COL - (COL - BOX_W), height };
}

/**
 * @param {any} view
 * @param {string[]} clusterNames
 */
function graph(view, clusterNames) {
  if (view.nodes.length === 0) return h('p', { class: 'empty' }, 'No requests seen yet.');
  const { at, width, height } = layout(view.nodes, view.edges);
  const maxRps = Math.max(0.001, ...view.edges.map((/** @type {any} */ e) => e.rps));
  // Edges into one node arrive at spread points of its left side, each with its own label.
  /** @type {Map<string, any[]>} */
  const into = new Map();
  for (const e of view.edges) into.set(e.to, [...(into.get(e.to) ?? []), e]);
  const edges = view.edges.map((/** @type {any} */ e) => {
    const a = at.get(e.from);
    const b = at.get(e.to);
    if (!a || !b) return null;
    const x1 = a.x + BOX_W;
    const y1 = a.y + a.h / 2;
    const x2 = b.x;
    const siblings = into.get(e.to) ?? [e];
    const y2 = b.y + ((siblings.indexOf(e) + 1) * b.h) / (siblings.length + 1);
    const mx = (x1 + x2) / 2;
    const err = e.rps > 0 ? e.errorRps / e.rps : 0;
    const label = `${rate(e.rps)}/s${err > 0 ? ` · ${percent(err)} err` : ''}`;
    return s(
      'g',
      { class: `edge${e.rps === 0 ? ' idle' : ''}${err > 0 ? ' failing' : ''}` },
      s('path', {
        d: `M${x1},${y1} C${mx},${y1} ${mx},${y2} ${x2},${y2}`,
        'stroke-width': (1 + (4 * e.rps) / maxRps).toFixed(2),
        'marker-end': 'url(#arrow)',
      }),
      // Labels sit where the edge arrives, so the labels of one caller's edges fan out.
      s('text', { x: x2 - 8, y: y2 - 3, 'text-anchor': 'end' }, label),
      s('title', {}, `${e.from} → ${e.to} (${e.service}): ${label}, ${e.total} request(s) in all`),
    );
  });
  const nodes = view.nodes.map((/** @type {any} */ n) => {
    const p = at.get(n.id) ?? { x: 0, y: 0, h: BOX_H };
    return s(
      'g',
      {
        class: `node c${colourIndex(n.cluster, clusterNames)} ${n.role}`,
        transform: `translate(${p.x},${p.y})`,
      },
      s('rect', { width: BOX_W, height: p.h, rx: 6 }),
      s('text', { x: 10, y: 18, class: 'name' }, n.workload),
      s('text', { x: 10, y: 34, class: 'where' }, n.cluster),
      s('title', {}, `${n.workload} in ${n.cluster} (${n.namespace})`),
    );
  });
  return h(
    'div',
    { class: 'scroll graph' },
    s(
      'svg',
      {
        viewBox: `0 0 ${width} ${height}`,
        width,
        height,
        role: 'img',
        'aria-label': `Service graph: ${view.nodes.length} workloads, ${view.edges.length} connections`,
      },
      s(
        'defs',
        {},
        s(
          'marker',
          {
            id: 'arrow',
            viewBox: '0 0 10 10',
            refX: 10,
            refY: 5,
            markerWidth: 8,
            markerHeight: 8,
            markerUnits: 'userSpaceOnUse',
            orient: 'auto-start-reverse',
          },
          s('path', { d: 'M0,0 L10,5 L0,10 z' }),
        ),
      ),
      edges,
      nodes,
    ),
  );
}

/** @param {any} view */
function edgeTable(view) {
  return h(
    'details',
    { class: 'edges' },
    h('summary', {}, 'Connections as a table'),
    h(
      'div',
      { class: 'scroll' },
      h(
        'table',
        { 'aria-label': 'Connections' },
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            ['From', 'To', 'Service', 'Requests/s', 'Errors/s', 'Total'].map((c) =>
              h('th', { scope: 'col' }, c),
            ),
          ),
        ),
        h(
          'tbody',
          {},
          view.edges.map((/** @type {any} */ e) =>
            h(
              'tr',
              {},
              h('th', { scope: 'row' }, e.from),
              h('td', {}, e.to),
              h('td', {}, e.service),
              h('td', {}, rate(e.rps)),
              h('td', {}, rate(e.errorRps)),
              h('td', {}, String(e.total)),
            ),
          ),
        ),
      ),
    ),
  );
}

/**
 * @param {any} split
 * @param {number} windowSeconds
 * @param {string[]} clusterNames
 */
function splitChart(split, windowSeconds, clusterNames) {
  const now = split.rps > 0;
  const shareOf = (/** @type {any} */ p) => (now ? p.share : p.totalShare);
  /** @type {Map<string, number>} */
  const byVersion = new Map();
  for (const p of split.parts) byVersion.set(p.version, (byVersion.get(p.version) ?? 0) + shareOf(p));
  const versions = [...byVersion.keys()].sort();
  return h(
    'figure',
    { class: 'split' },
    h(
      'figcaption',
      {},
      now
        ? `${rate(split.rps)} request(s)/s to ${split.service} over the last ${windowSeconds} s`
        : `No requests to ${split.service} in the last ${windowSeconds} s; shares of all ${split.total} request(s) since the proxies started`,
    ),
    h(
      'div',
      {
        class: 'stack',
        role: 'img',
        'aria-label': `Split by version: ${versions.map((v) => `${v} ${percent(byVersion.get(v) ?? 0)}`).join(', ')}`,
      },
      versions.map((v, i) => {
        const bar = h(
          'span',
          { class: `seg v${i % 8}`, 'data-version': v },
          `${v} ${percent(byVersion.get(v) ?? 0)}`,
        );
        bar.style.flexGrow = String(Math.max(0.0001, byVersion.get(v) ?? 0));
        return bar;
      }),
    ),
    h(
      'div',
      { class: 'scroll' },
      h(
        'table',
        { 'aria-label': `Request split of ${split.service}` },
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            ['Version', 'Cluster', 'Workload', 'Requests/s', 'Share', 'Total', 'Share of total'].map((c) =>
              h('th', { scope: 'col' }, c),
            ),
          ),
        ),
        h(
          'tbody',
          {},
          split.parts.map((/** @type {any} */ p) => {
            const bar = h('meter', { min: 0, max: 1, value: shareOf(p), 'aria-hidden': 'true' });
            return h(
              'tr',
              { 'data-version': p.version, 'data-cluster': p.cluster },
              h('th', { scope: 'row' }, p.version),
              h('td', {}, h('span', { class: `dot c${colourIndex(p.cluster, clusterNames)}` }), p.cluster),
              h('td', {}, p.workload),
              h('td', { 'data-field': 'rps' }, rate(p.rps)),
              h('td', { 'data-field': 'share' }, bar, ` ${percent(p.share)}`),
              h('td', { 'data-field': 'total' }, String(p.total)),
              h('td', { 'data-field': 'total-share' }, percent(p.totalShare)),
            );
          }),
        ),
      ),
    ),
  );
}

/**
 * @param {HTMLElement} root
 * @param {import('../app.js').Ctx} ctx
 */
export function mount(root, ctx) {
  const source = h('p', { class: 'source', role: 'status' });
  const graphBox = h('div');
  const picker = h('div', { class: 'filters' });
  const splitBox = h('div');
  root.append(
    h('h1', {}, 'Traffic'),
    source,
    h('section', { 'aria-labelledby': 't-graph' }, h('h2', { id: 't-graph' }, 'Service graph'), graphBox),
    h(
      'section',
      { 'aria-labelledby': 't-split' },
      h('h2', { id: 't-split' }, 'Request split'),
      picker,
      splitBox,
    ),
  );
  let pickerKey = '';
  const update = () => {
    const view = ctx.store.traffic;
    if (!view) return;
    const clusterNames = (ctx.store.clusters?.clusters ?? []).map((/** @type {any} */ c) => c.name);
    const src = view.source;
    source.dataset.state = src.state;
    source.textContent =
      src.state === 'none'
        ? `Waiting for the mesh: ${src.message ?? 'no metrics endpoint yet'}.`
        : src.state === 'error'
          ? `The mesh's metrics at ${src.url} did not answer: ${src.message}`
          : `Live from ${src.url}${view.scrapedAt ? `, updated ${new Date(view.scrapedAt).toLocaleTimeString('en-GB')}` : ''}${src.message ? ` (${src.message})` : ''}.`;
    graphBox.replaceChildren(graph(view, clusterNames), view.edges.length ? edgeTable(view) : '');
    const services = view.services.map((/** @type {any} */ x) => `${x.namespace}/${x.service}`);
    const wanted = ctx.params.get('service');
    const chosen =
      wanted && services.includes(wanted)
        ? wanted
        : (services.find((/** @type {string} */ x) => x.endsWith('/reviews')) ?? services[0]);
    const key = JSON.stringify([services, chosen]);
    if (key !== pickerKey) {
      pickerKey = key;
      const sel = /** @type {HTMLSelectElement} */ (
        h(
          'select',
          { id: 't-service' },
          services.map((/** @type {string} */ x) => h('option', { value: x }, x)),
        )
      );
      if (chosen) sel.value = chosen;
      sel.addEventListener('change', () => ctx.setParams({ service: sel.value }));
      picker.replaceChildren(
        services.length
          ? h('div', { class: 'filter' }, h('label', { for: 't-service' }, 'Service'), sel)
          : '',
      );
    }
    const split = view.services.find((/** @type {any} */ x) => `${x.namespace}/${x.service}` === chosen);
    splitBox.replaceChildren(
      split
        ? splitChart(split, view.windowSeconds, clusterNames)
        : h('p', { class: 'empty' }, 'No service has had requests yet.'),
    );
  };
  return { update };
}
