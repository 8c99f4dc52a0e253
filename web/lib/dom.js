// DOM helpers for the dashboard: build elements from plain data without innerHTML, so nothing
// the API returns is ever parsed as markup, and format the numbers the views show.

const SVG_NS = 'http://www.w3.org/2000/svg';

/**
 * @typedef {string | number | Node | null | undefined | false} Child
 * @typedef {Record<string, string | number | boolean | null | undefined | EventListener>} Attrs
 */

/**
 * @param {Element} el
 * @param {Attrs} attrs
 */
function setAttrs(el, attrs) {
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else if (k === 'class') el.setAttribute('class', String(v));
    else el.setAttribute(k, v === true ? '' : String(v));
  }
}

/**
 * @param {Element} el
 * @param {Child[]} children
 */
function append(el, children) {
  for (const c of children.flat(Infinity)) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

/**
 * An HTML element: `h('a', { href: '#/x' }, 'text')`.
 * @param {string} tag
 * @param {Attrs} [attrs]
 * @param {...(Child | Child[])} children
 * @returns {HTMLElement}
 */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  setAttrs(el, attrs);
  append(el, /** @type {Child[]} */ (children));
  return el;
}

/**
 * An SVG element.
 * @param {string} tag
 * @param {Attrs} [attrs]
 * @param {...(Child | Child[])} children
 * @returns {SVGElement}
 */
export function s(tag, attrs = {}, ...children) {
  const el = /** @type {SVGElement} */ (document.createElementNS(SVG_NS, tag));
  setAttrs(el, attrs);
  append(el, /** @type {Child[]} */ (children));
  return el;
}

/**
 * Replaces an element's children.
 * @param {Element} el
 * @param {...(Child | Child[])} children
 */
export function fill(el, ...children) {
  el.replaceChildren();
  append(el, /** @type {Child[]} */ (children));
}

/**
 * `12.3`, `0.42`, `1,234`: rates with sensible precision.
 * @param {number} n
 */
export function rate(n) {
  if (n === 0) return '0';
  if (n < 1) return n.toFixed(2);
  if (n < 100) return n.toFixed(1);
  return Math.round(n).toLocaleString('en');
}

/**
 * `33%`.
 * @param {number} share 0..1
 */
export function percent(share) {
  return `${Math.round(share * 100)}%`;
}

/**
 * A resource amount for people: cores, GiB, or a count.
 * @param {string} resource
 * @param {number} n
 */
export function amount(resource, n) {
  if (resource === 'memory' || resource.endsWith('storage')) {
    const gib = n / 2 ** 30;
    return `${gib >= 10 ? Math.round(gib) : Number(gib.toFixed(1))} GiB`;
  }
  if (resource === 'cpu') return `${Number(n.toFixed(2))} cores`;
  return Number(n.toFixed(2)).toLocaleString('en');
}

/**
 * `5s ago`, `3m ago`, `2h ago`, or a date.
 * @param {string | undefined} iso
 * @param {number} [now]
 */
export function ago(iso, now = Date.now()) {
  if (!iso) return '-';
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return iso;
  const s = Math.max(0, Math.round((now - t) / 1000));
  if (s < 60) return `${s}s ago`;
  if (s < 3600) return `${Math.floor(s / 60)}m ago`;
  if (s < 86400) return `${Math.floor(s / 3600)}h ago`;
  return new Date(t).toISOString().slice(0, 10);
}

/**
 * `14:03:22` local time.
 * @param {string} iso
 */
export function clock(iso) {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleTimeString('en-GB', { hour12: false });
}

/**
 * A stable colour index (0..7) for a name, so a cluster keeps its colour across views.
 * @param {string} name
 * @param {string[]} [known] names in a fixed order; a known name gets its index
 */
export function colourIndex(name, known = []) {
  const i = known.indexOf(name);
  if (i >= 0) return i % 8;
  let hash = 0;
  for (const ch of name) hash = (hash * 31 + ch.charCodeAt(0)) >>> 0;
  return hash % 8;
}
