// A workload's page: what `flotilla explain` prints, drawn — the policy that claims it and why
// the others lose, every cluster's filter verdict and score, the replica arithmetic, and the
// Works' state. It reloads the explanation whenever placement or clusters change.

import { getJson } from '../lib/api.js';
import { h } from '../lib/dom.js';

export const title = 'Workload';
export const topics = ['placement', 'clusters'];

/**
 * @param {string[][]} rows first row is the header
 * @param {string} label
 * @param {(row: string[], i: number) => Record<string, string> | undefined} [rowAttrs]
 */
function table(rows, label, rowAttrs) {
  const [head = [], ...body] = rows;
  return h(
    'div',
    { class: 'scroll' },
    h(
      'table',
      { 'aria-label': label },
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          head.map((c) => h('th', { scope: 'col' }, c)),
        ),
      ),
      h(
        'tbody',
        {},
        body.map((r, i) =>
          h(
            'tr',
            rowAttrs?.(r, i) ?? {},
            r.map((c, j) => (j === 0 ? h('th', { scope: 'row' }, c) : h('td', {}, c))),
          ),
        ),
      ),
    ),
  );
}

/** @param {any} m */
function policySection(m) {
  const p = m.policy;
  return h(
    'section',
    { 'aria-labelledby': 'w-policy' },
    h('h2', { id: 'w-policy' }, 'Policy'),
    p.claimedBy
      ? h(
          'dl',
          { class: 'facts' },
          h('dt', {}, 'Claimed by'),
          h('dd', { 'data-field': 'claimed-by' }, p.claimedBy),
          h('dt', {}, 'Why'),
          h('dd', { 'data-field': 'why' }, p.why ?? ''),
        )
      : h('p', { 'data-field': 'claimed-by' }, p.unclaimed ?? 'not claimed'),
    p.rows.length
      ? table(
          [
            ['Policy', 'Selects', 'Priority', 'Verdict'],
            ...p.rows.map((/** @type {any} */ r) => [r.label, r.selects, String(r.priority), r.verdict]),
          ],
          'Matching policies',
          (_r, i) => (p.rows[i].winner ? { class: 'winner' } : undefined),
        )
      : null,
  );
}

/**
 * @param {any} t a TermDiagnosis
 * @param {boolean} named the policy has clusterAffinities: show the term's name
 */
function termView(t, named) {
  const max = Math.max(100, ...t.clusters.map((/** @type {any} */ c) => c.score ?? 0));
  return h(
    'div',
    { class: 'term' },
    named
      ? h(
          'h3',
          {},
          `Affinity term ${t.index ?? 0} “${t.affinityName ?? ''}”: ${t.outcome}${t.message ? ` (${t.message})` : ''}`,
        )
      : null,
    h(
      'div',
      { class: 'scroll' },
      h(
        'table',
        { 'aria-label': 'Cluster verdicts' },
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            ['Cluster', 'Filter', 'Reason', 'Score', 'Available', 'Selected'].map((c) =>
              h('th', { scope: 'col' }, c),
            ),
          ),
        ),
        h(
          'tbody',
          {},
          t.clusters.map((/** @type {any} */ c) =>
            h(
              'tr',
              {
                class: c.rejected ? 'rejected' : c.selected === false ? 'unselected' : 'selected',
                'data-cluster': c.name,
              },
              h('th', { scope: 'row' }, c.name),
              h('td', { 'data-field': 'filter' }, c.rejected ? 'rejected' : 'fits'),
              h(
                'td',
                {},
                c.rejected
                  ? `${c.rejected.reason}${c.rejected.detail ? `: ${c.rejected.detail}` : ''}`
                  : (c.notes ?? []).join('; ') || '-',
              ),
              h(
                'td',
                { 'data-field': 'score' },
                c.score === undefined
                  ? '-'
                  : h(
                      'span',
                      { class: 'score' },
                      h('meter', { min: 0, max, value: c.score, 'aria-label': `${c.name} score` }),
                      ` ${c.score}`,
                      c.scores
                        ? h(
                            'small',
                            {},
                            ` (${Object.entries(c.scores)
                              .map(([k, v]) => `${k} ${v}`)
                              .join(', ')})`,
                          )
                        : null,
                    ),
              ),
              h('td', {}, c.available === undefined ? '-' : String(c.available)),
              h('td', { 'data-field': 'selected' }, c.rejected ? '-' : c.selected === false ? 'no' : 'yes'),
            ),
          ),
        ),
      ),
    ),
    t.selection && t.selection.by !== 'none'
      ? h(
          'p',
          {},
          `Spread by ${t.selection.by}${t.selection.note ? ` (${t.selection.note})` : ''}; selected ${t.selection.selected.join(', ')}`,
        )
      : null,
  );
}

/** @param {any} m */
function schedulingSection(m) {
  const s = m.scheduling;
  if (!s)
    return h(
      'section',
      { 'aria-labelledby': 'w-sched' },
      h('h2', { id: 'w-sched' }, 'Scheduling'),
      h('p', {}, 'No binding yet.'),
    );
  return h(
    'section',
    { 'aria-labelledby': 'w-sched' },
    h('h2', { id: 'w-sched' }, 'Scheduling'),
    h(
      'p',
      {},
      `Binding ${s.binding}: Scheduled=${s.scheduled.status}`,
      s.scheduled.status === 'True' ? '' : ` ${s.scheduled.reason ?? ''} ${s.scheduled.message ?? ''}`,
      s.decidedAt ? h('small', {}, ` · decided ${new Date(s.decidedAt).toLocaleTimeString('en-GB')}`) : null,
    ),
    s.terms.length === 0
      ? h('p', {}, 'No scheduling decision recorded yet.')
      : s.terms.map((/** @type {any} */ t) => termView(t, s.affinity === 'terms')),
  );
}

/** @param {any} m */
function replicasSection(m) {
  const r = m.replicas;
  if (!r) return null;
  const max = Math.max(1, ...r.result.map((/** @type {any} */ x) => x.replicas));
  return h(
    'section',
    { 'aria-labelledby': 'w-replicas' },
    h('h2', { id: 'w-replicas' }, 'Replicas'),
    h(
      'ul',
      { class: 'bars', 'aria-label': 'Replicas per cluster' },
      r.result.map((/** @type {any} */ x) =>
        h(
          'li',
          { 'data-cluster': x.cluster },
          h('span', { class: 'bar-label' }, x.cluster),
          h('meter', { min: 0, max, value: x.replicas, 'aria-label': `${x.cluster} replicas` }),
          h('span', { class: 'bar-value' }, String(x.replicas)),
        ),
      ),
    ),
    h(
      'ol',
      { class: 'arithmetic', 'aria-label': 'Replica arithmetic' },
      r.lines.map((/** @type {string} */ l) => h('li', {}, l)),
    ),
  );
}

/** @param {any} m */
function worksSection(m) {
  return h(
    'section',
    { 'aria-labelledby': 'w-works' },
    h('h2', { id: 'w-works' }, 'Works'),
    m.works.length === 0
      ? h('p', {}, 'None.')
      : table(
          [
            ['Cluster', 'Work', 'Applied', 'Health', 'Member status'],
            ...m.works.map((/** @type {any} */ w) => [w.cluster, w.work, w.applied, w.health, w.member]),
          ],
          'Works',
        ),
  );
}

/**
 * @param {HTMLElement} root
 * @param {import('../app.js').Ctx} ctx
 */
export function mount(root, ctx) {
  const p = ctx.params;
  const ref = {
    apiVersion: p.get('apiVersion') ?? '',
    kind: p.get('kind') ?? '',
    namespace: p.get('namespace') ?? '',
    name: p.get('name') ?? '',
  };
  const heading = `${ref.kind} ${ref.namespace ? `${ref.namespace}/` : ''}${ref.name}`;
  const body = h('div', { class: 'workload' }, h('p', {}, 'Loading…'));
  root.append(
    h(
      'nav',
      { class: 'crumbs', 'aria-label': 'Breadcrumb' },
      h('a', { href: '#/placement' }, 'Placement'),
      ' › ',
      ref.name,
    ),
    h('h1', {}, heading),
    body,
  );
  const abort = new AbortController();
  let inFlight = false;
  let again = false;
  let lastText = '';
  const load = async () => {
    if (inFlight) {
      again = true;
      return;
    }
    inFlight = true;
    try {
      const q = new URLSearchParams({ apiVersion: ref.apiVersion, kind: ref.kind, name: ref.name });
      if (ref.namespace) q.set('namespace', ref.namespace);
      const m = await getJson(ctx.token, `/api/explain?${q}`, abort.signal);
      const text = JSON.stringify(m);
      if (text !== lastText) {
        lastText = text;
        body.replaceChildren(
          policySection(m),
          schedulingSection(m),
          replicasSection(m) ?? '',
          worksSection(m),
          h(
            'details',
            { class: 'text' },
            h('summary', {}, 'As flotilla explain prints it'),
            h('pre', { 'data-field': 'explain-text' }, m.text.join('\n')),
          ),
        );
      }
    } catch (err) {
      if (!abort.signal.aborted) {
        lastText = '';
        body.replaceChildren(h('p', { class: 'error', role: 'alert' }, /** @type {Error} */ (err).message));
      }
    } finally {
      inFlight = false;
      // Changes that arrived during the request: one more, a moment later.
      if (again && !abort.signal.aborted) {
        again = false;
        setTimeout(load, 500);
      }
    }
  };
  return { update: () => void load(), unmount: () => abort.abort() };
}
