import type { SeriesKind, Step } from '../store/rollupLayout.js';

/** An HTTP request as the API sees it (from an API Gateway v2 event). */
interface ApiRequest {
  readonly method: string;
  readonly path: string;
  /** Query parameters; a repeated one arrives comma-joined, as API Gateway does. */
  readonly query: Readonly<Record<string, string | undefined>>;
  /** Header names in lower case. */
  readonly headers: Readonly<Record<string, string | undefined>>;
}

type ResponseFormat = 'json' | 'csv';

/** What `top` can rank the ENIs of a window by. */
const TOP_BY = ['bytes', 'packets', 'flows', 'rejectFlows'] as const;
type TopBy = (typeof TOP_BY)[number];

/** What every paged series query holds besides its series. */
interface PageQuery {
  readonly from: number;
  readonly to: number;
  readonly limit: number;
  readonly nextToken: string | null;
  /** False when neither from nor to was given (a nextToken then keeps its own range). */
  readonly isRangeGiven: boolean;
  readonly format: ResponseFormat;
}

/** A validated query: one per route. Times are epoch seconds. */
type ApiQuery =
  | (PageQuery & {
      readonly route: 'rollups';
      readonly interfaceId: string;
    })
  | (PageQuery & {
      /** An ENI at 1h or 1d, or a scope (VPC, subnet, account) at any step. */
      readonly route: 'series';
      readonly kind: SeriesKind;
      readonly id: string;
      readonly step: Step;
    })
  | {
      readonly route: 'scopeSummary';
      readonly kind: Exclude<SeriesKind, 'eni'>;
      readonly id: string;
      readonly from: number;
      readonly to: number;
      readonly format: ResponseFormat;
    }
  | {
      readonly route: 'summary';
      readonly interfaceId: string;
      readonly from: number;
      readonly to: number;
      readonly format: ResponseFormat;
    }
  | {
      readonly route: 'top';
      readonly windowStart: number;
      readonly by: TopBy;
      readonly limit: number;
      readonly format: ResponseFormat;
    }
  | {
      /** The busiest ENIs over a range, in a scope or in everything. */
      readonly route: 'rangeTop';
      readonly scope: {
        readonly kind: Exclude<SeriesKind, 'eni'>;
        readonly id: string;
      } | null;
      /** 5-minute aligned: from rounded down, to up. */
      readonly from: number;
      readonly to: number;
      readonly by: TopBy;
      readonly limit: number;
      readonly format: ResponseFormat;
    }
  | {
      /** What an ENI or a scope rejected over a range: ports and sources. */
      readonly route: 'rejections';
      readonly kind: SeriesKind;
      readonly id: string;
      /** 5-minute aligned: from rounded down, to up. */
      readonly from: number;
      readonly to: number;
      readonly limit: number;
      readonly format: ResponseFormat;
    }
  | { readonly route: 'scopes'; readonly format: ResponseFormat }
  | { readonly route: 'health' };

export type { ApiQuery, ApiRequest, PageQuery, ResponseFormat, TopBy };
export { TOP_BY };
