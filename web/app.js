// The dashboard page: reads the token, opens the live event stream, keeps the latest copy of
// every view the server sends, and routes `#/name?params` to one view module at a time. A view
// module exports `title`, `topics` (the server views it draws) and `mount(root, ctx)`, which
// returns `{ update() }`; `update` runs whenever one of its topics changes.

import { forgetToken, saveToken, subscribe, takeToken } from './lib/api.js';
import { fill, h } from './lib/dom.js';
import * as clusters from './views/clusters.js';
import * as placement from './views/placement.js';
import * as policies from './views/policies.js';
import * as traffic from './views/traffic.js';
import * as workload from './views/workload.js';

/**
 * @typedef {{ clusters?: any, placement?: any, policies?: any, traffic?: any }} Store
 * @typedef {{
 *   store: Store,
 *   token: string,
 *   params: URLSearchParams,
 *   setParams(params: Record<string, string | undefined>): void,
 * }} Ctx
 * @typedef {{ update(): void, unmount?(): void }} Mounted
 * @typedef {{ title: string, topics: string[], mount(root: HTMLElement, ctx: Ctx): Mounted }} ViewModule
 */

/** @type {Record<string, ViewModule>} */
const ROUTES = { clusters, placement, traffic, policies, workload };
const NAV = ['clusters', 'placement', 'traffic', 'policies'];

const main = /** @type {HTMLElement} */ (document.getElementById('view'));
const nav = /** @type {HTMLElement} */ (document.getElementById('nav'));
const live = /** @type {HTMLElement} */ (document.getElementById('live'));

/** @type {Store} */
const store = {};
/** @type {{ name: string, mounted: Mounted, ctx: Ctx } | undefined} */
let current;

function route() {
  const hash = location.hash.replace(/^#\/?/, '');
  const q = hash.indexOf('?');
  const name = (q < 0 ? hash : hash.slice(0, q)) || 'clusters';
  const params = new URLSearchParams(q < 0 ? '' : hash.slice(q + 1));
  return { name: ROUTES[name] ? name : 'clusters', params };
}

/** @param {string} token */
function render(token) {
  const { name, params } = route();
  const module = /** @type {ViewModule} */ (ROUTES[name]);
  for (const a of nav.querySelectorAll('a')) {
    const active = a.dataset.route === name || (name === 'workload' && a.dataset.route === 'placement');
    if (active) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
  current?.mounted.unmount?.();
  main.replaceChildren();
  document.title = `${module.title} · Flotilla`;
  /** @type {Ctx} */
  const ctx = {
    store,
    token,
    params,
    setParams(next) {
      for (const [k, v] of Object.entries(next)) {
        if (v === undefined || v === '') ctx.params.delete(k);
        else ctx.params.set(k, v);
      }
      const qs = ctx.params.toString();
      history.replaceState(null, '', `#/${name}${qs ? `?${qs}` : ''}`);
      current?.mounted.update();
    },
  };
  current = { name, ctx, mounted: module.mount(main, ctx) };
  current.mounted.update();
}

/** @param {string} [message] */
function login(message) {
  current?.mounted.unmount?.();
  current = undefined;
  const input = h('input', { id: 'token', type: 'password', autocomplete: 'off', required: true });
  const form = h(
    'form',
    { class: 'login', 'aria-label': 'Sign in' },
    h('h1', {}, 'Sign in'),
    h('p', {}, 'Paste a bearer token for the control plane (the token in karmada-apiserver.config).'),
    message ? h('p', { class: 'error', role: 'alert' }, message) : null,
    h('label', { for: 'token' }, 'Bearer token'),
    input,
    h('button', { type: 'submit' }, 'Open the dashboard'),
  );
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const token = /** @type {HTMLInputElement} */ (input).value.trim();
    if (token === '') return;
    saveToken(token);
    start(token);
  });
  fill(main, form);
  fill(live, 'signed out');
  live.dataset.state = 'unauthorized';
}

/** @type {{ stop(): void } | undefined} */
let stream;

/** @param {string} token */
function start(token) {
  stream?.stop();
  fill(nav, ...NAV.map((r) => h('a', { href: `#/${r}`, 'data-route': r }, ROUTES[r]?.title ?? r)));
  stream = subscribe(
    token,
    (name, data) => {
      store[/** @type {keyof Store} */ (name)] = data;
      if (current && ROUTES[current.name]?.topics.includes(name)) current.mounted.update();
    },
    (state) => {
      live.dataset.state = state.state;
      if (state.state === 'unauthorized') {
        stream?.stop();
        forgetToken();
        login(`The control plane refused the token: ${state.message ?? 'unauthorized'}`);
        return;
      }
      fill(
        live,
        state.state === 'live' ? 'live' : state.state === 'connecting' ? 'connecting…' : 'reconnecting…',
      );
    },
  );
  window.onhashchange = () => render(token);
  render(token);
}

const token = takeToken();
if (token) start(token);
else login();
