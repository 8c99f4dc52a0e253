/**
 * Test fixture: a whole Bookinfo stack on loopback (real details, ratings, reviews and
 * productpage servers), or productpage alone in front of caller-supplied backends.
 */
import { silentLog } from '../common/http.ts';
import { type Started, start } from '../common/test-support.ts';
import { createServer as createDetails } from '../details/details.ts';
import { createServer as createRatings } from '../ratings/ratings.ts';
import { createServer as createReviews, type ReviewsOptions } from '../reviews/reviews.ts';
import { createServer, type ProductPageOptions } from './productpage.ts';

/** A running stack; `stop` closes every server it started. */
export interface Stack {
  readonly productpage: Started;
  stop(): Promise<void>;
}

/** The secret the fixtures sign sessions with. */
export const TEST_SECRET = 'test-secret';

/** Starts productpage against the given backends (defaults: nothing listening on port 9). */
export function startProductPage(options: Partial<ProductPageOptions> = {}): Promise<Started> {
  return start(
    createServer({
      detailsBase: 'http://127.0.0.1:9',
      reviewsBase: 'http://127.0.0.1:9',
      ratingsBase: 'http://127.0.0.1:9',
      sessionSecret: TEST_SECRET,
      log: silentLog,
      ...options,
    }),
  );
}

/** Starts details, ratings, one reviews version and productpage, wired together. */
export async function startStack(
  reviews: Omit<ReviewsOptions, 'ratingsBase' | 'log'>,
  page: Partial<ProductPageOptions> = {},
): Promise<Stack> {
  const started: Started[] = [];
  try {
    const details = await start(createDetails({ log: silentLog }));
    started.push(details);
    const ratings = await start(createRatings({ log: silentLog }));
    started.push(ratings);
    const rev = await start(createReviews({ ...reviews, ratingsBase: ratings.base, log: silentLog }));
    started.push(rev);
    const productpage = await startProductPage({
      detailsBase: details.base,
      reviewsBase: rev.base,
      ratingsBase: ratings.base,
      ...page,
    });
    started.push(productpage);
    return { productpage, stop: async () => void (await Promise.all(started.map((s) => s.stop()))) };
  } catch (err) {
    await Promise.all(started.map((s) => s.stop()));
    throw err;
  }
}

/** Counts filled stars as istio.io's tests do, with the closing quote so outlines never match. */
export function filledStars(html: string): number {
  return html.split('glyphicon glyphicon-star"').length - 1;
}
