/**
 * productpage's HTML, following the markers of upstream's current (Tailwind) template: filled
 * stars are `<svg id="glyphicon glyphicon-star">` inside `<div class="flex gap-x-1 text-<color>-500">`,
 * a failed rating shows `Ratings service is currently unavailable`, and each review ends with
 * `Reviews served by: <podname>` plus `on cluster <clustername>` unless that is "null".
 * Styling comes from the self-contained `static/bookinfo.css`.
 */
import type { BackendReply } from './upstream.ts';

/** A product as listed by `/api/v1/products`. */
export interface Product {
  readonly id: number;
  readonly title: string;
  readonly descriptionHtml: string;
}

/** The catalogue upstream productpage serves. */
export const PRODUCTS: readonly Product[] = [
  {
    id: 0,
    title: 'The Comedy of Errors',
    descriptionHtml:
      '<a href="https://en.wikipedia.org/wiki/The_Comedy_of_Errors">Wikipedia Summary</a>: The Comedy of Errors is one of <b>William Shakespeare\'s</b> early plays. It is his shortest and one of his most farcical comedies, with a major part of the humour coming from slapstick and mistaken identity, in addition to puns and word play.',
  },
];

/** Escapes text for HTML element content and attribute values. */
export function escapeHtml(value: unknown): string {
  return String(value ?? '')
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;');
}

const STAR_POINTS = '10,1.5 12.6,7.2 18.8,7.8 14.1,12 15.5,18.2 10,15 4.5,18.2 5.9,12 1.2,7.8 7.4,7.2';
const FILLED_STAR = `<svg id="glyphicon glyphicon-star" class="star" viewBox="0 0 20 20" fill="currentColor" aria-hidden="true"><polygon points="${STAR_POINTS}"/></svg>`;
const EMPTY_STAR = `<svg class="star" viewBox="0 0 20 20" fill="none" stroke="currentColor" stroke-width="1.2" aria-hidden="true"><polygon points="${STAR_POINTS}"/></svg>`;

function page(title: string, body: string): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>${escapeHtml(title)}</title>
<link rel="stylesheet" href="static/bookinfo.css">
</head>
<body>
${body}
</body>
</html>
`;
}

function asRecord(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {};
}

function nav(user: string | undefined): string {
  const account = user
    ? `<span class="user">${escapeHtml(user)}</span> <a href="logout" class="nav-link">Sign out</a>`
    : `<details class="sign-in"><summary>Sign in</summary>
<form method="post" action="login" name="login_form">
<label>Username <input id="username" name="username" required></label>
<label>Password <input id="password" name="passwd" type="password" required></label>
<button type="submit">Sign in</button>
</form></details>`;
  return `<nav class="navbar"><a href="productpage" class="brand">BookInfo Sample</a><div class="account">${account}</div></nav>`;
}

function detailsSection(details: BackendReply): string {
  const d = asRecord(details.body);
  if (details.status !== 200) {
    return `<p class="text-2xl text-red-500">Error fetching product details</p>
<p class="text-lg text-gray-600">${escapeHtml(d.error)}</p>`;
  }
  const cols = ['ISBN-10', 'Publisher', 'Pages', 'Type', 'Language'];
  const vals = [d['ISBN-10'], d.publisher, d.pages, d.type, d.language];
  return `<h4 class="text-3xl font-semibold">Book Details</h4>
<table class="details"><thead><tr>${cols.map((c) => `<th>${c}</th>`).join('')}</tr></thead>
<tbody><tr>${vals.map((v) => `<td>${escapeHtml(v)}</td>`).join('')}</tr></tbody></table>`;
}

function ratingHtml(rating: Record<string, unknown>): string {
  const stars = rating.stars;
  if (typeof stars === 'number' && Number.isInteger(stars) && stars !== 0) {
    const filled = Math.max(0, Math.min(5, stars));
    return `<div class="flex gap-x-1 text-${escapeHtml(rating.color)}-500">
${FILLED_STAR.repeat(filled)}${EMPTY_STAR.repeat(5 - filled)}
</div>`;
  }
  if (rating.error) return `<p class="text-red-500">${escapeHtml(rating.error)}</p>`;
  return '';
}

function reviewsSection(reviews: BackendReply): string {
  const r = asRecord(reviews.body);
  if (reviews.status !== 200) {
    return `<p class="text-2xl text-red-500">Error fetching product reviews</p>
<p class="text-lg text-gray-600">${escapeHtml(r.error)}</p>`;
  }
  const list = Array.isArray(r.reviews) ? r.reviews.map(asRecord) : [];
  const cluster = r.clustername !== 'null' && r.clustername !== undefined ? r.clustername : undefined;
  const served =
    `Reviews served by: ${escapeHtml(r.podname)}` +
    (cluster !== undefined ? ` on cluster <div class="cluster">${escapeHtml(cluster)}</div>` : '');
  const items = list.map(
    (review) => `<section class="review">
${review.rating !== undefined ? ratingHtml(asRecord(review.rating)) : ''}
<blockquote><p>"${escapeHtml(review.text)}"</p></blockquote>
<div class="reviewer">${escapeHtml(review.reviewer)}</div>
<div class="served-by">${served}</div>
</section>`,
  );
  return `<h4 class="text-3xl font-semibold">Book Reviews</h4>
<div class="reviews">
${items.join('\n')}
</div>`;
}

/** Everything the product page shows. */
export interface ProductPageModel {
  readonly product: Product | undefined;
  readonly details: BackendReply;
  readonly reviews: BackendReply;
  readonly user: string | undefined;
  /** productpage's own pod and cluster, shown in the footer when known. */
  readonly podName?: string | undefined;
  readonly clusterName?: string | undefined;
}

/** Renders `/productpage`. */
export function renderProductPage(model: ProductPageModel): string {
  const footer =
    model.podName || model.clusterName
      ? `<footer class="footer">Product page served by: ${escapeHtml(model.podName ?? 'unknown')}${
          model.clusterName ? ` on cluster ${escapeHtml(model.clusterName)}` : ''
        }</footer>`
      : '';
  return page(
    'Simple Bookstore App',
    `${nav(model.user)}
<main class="container">
<h1 class="text-5xl font-bold">${escapeHtml(model.product?.title ?? '')}</h1>
<p class="description">${model.product?.descriptionHtml ?? ''}</p>
<div class="section">${detailsSection(model.details)}</div>
<div class="section reviews-section">${reviewsSection(model.reviews)}</div>
</main>
${footer}`,
  );
}

/** A node of the service tree shown on the index page (upstream's json2html table). */
export interface ServiceNode {
  readonly name: string;
  readonly endpoint: string;
  readonly children: readonly ServiceNode[];
}

function treeTable(node: ServiceNode): string {
  const children = node.children.length
    ? `<ul>${node.children.map((c) => `<li>${treeTable(c)}</li>`).join('')}</ul>`
    : '';
  return `<table class="table"><tr><th>name</th><td>${escapeHtml(node.name)}</td></tr>
<tr><th>endpoint</th><td>${escapeHtml(node.endpoint)}</td></tr>
<tr><th>children</th><td>${children}</td></tr></table>`;
}

/** Renders `/` and `/index.html`. */
export function renderIndex(tree: ServiceNode): string {
  return page(
    'Simple Bookstore App',
    `<main class="container">
<h3>Hello! This is a simple bookstore application consisting of three services as shown below</h3>
${treeTable(tree)}
<p>Click on one of the links below to auto generate a request to the backend as a real user or a tester</p>
<p><a href="/productpage?u=normal">Normal user</a></p>
<p><a href="/productpage?u=test">Test user</a></p>
</main>`,
  );
}
