import { readdirSync, readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { QueryError, StoreError } from '../../shared/errors.js';
import {
  type ApiQuery,
  type ApiRequest,
  TOP_BY,
} from '../../shared/query/apiQuery.js';
import { errorResponse } from '../../shared/query/httpResponse.js';
import { parseQueryParams } from '../../shared/query/parseQueryParams.js';
import { LIMITS } from '../../shared/query/queryParams.js';
import { MAX_ACCOUNTS } from '../../shared/query/queryRangeTop.js';
import { queryRollups } from '../../shared/query/queryRollups.js';
import type { RangeRanker } from '../../shared/store/rangeRanking.js';
import type { RollupReader } from '../../shared/store/rollupStore.js';
import { memoryCatalog } from '../helpers/memoryCatalog.js';

const root = new URL('../../', import.meta.url);
const text = readFileSync(new URL('openapi.yaml', root), 'utf8');

interface Parameter {
  name: string;
  in: 'path' | 'query';
  description?: string;
  schema?: {
    type?: string;
    enum?: string[];
    pattern?: string;
    minimum?: number;
    maximum?: number;
    default?: unknown;
  };
}
type ParameterOrRef = Parameter | { $ref: string };
interface Operation {
  parameters?: ParameterOrRef[];
  responses: Record<string, unknown>;
}
interface OpenApi {
  components: {
    parameters: Record<string, Parameter>;
    schemas: {
      Error: {
        properties: {
          error: { properties: { code: { enum: string[] } } };
        };
      };
    };
  };
  paths: Record<string, Record<string, Operation>>;
}

const spec = parse(text) as OpenApi;
const NOW = Date.UTC(2026, 10, 1, 12) / 1000;

/** Each route of the code and its path in openapi.yaml; tsc keeps it whole. */
const PATH_OF = {
  rollups: '/enis/{interfaceId}/rollups',
  series: '/vpcs/{vpcId}/rollups',
  scopeSummary: '/vpcs/{vpcId}/summary',
  summary: '/enis/{interfaceId}/summary',
  top: '/windows/{windowStart}/top',
  rangeTop: '/top',
  rejections: '/enis/{interfaceId}/rejections',
  scopes: '/scopes',
  health: '/health',
} as const satisfies Record<ApiQuery['route'], string>;

/** Every documented path and the route it serves (scopes share theirs). */
const ROUTE_OF_PATH: Readonly<Record<string, ApiQuery['route']>> = {
  ...Object.fromEntries(
    Object.entries(PATH_OF).map(([route, path]) => [path, route])
  ),
  '/subnets/{subnetId}/rollups': 'series',
  '/accounts/{accountId}/rollups': 'series',
  '/subnets/{subnetId}/summary': 'scopeSummary',
  '/accounts/{accountId}/summary': 'scopeSummary',
  '/vpcs/{vpcId}/rejections': 'rejections',
  '/subnets/{subnetId}/rejections': 'rejections',
  '/accounts/{accountId}/rejections': 'rejections',
};
const ALL_PATHS = Object.keys(ROUTE_OF_PATH);

const SAMPLES: Record<string, string> = {
  interfaceId: 'eni-0123456789abcdef0',
  vpcId: 'vpc-0123456789abcdef0',
  subnetId: 'subnet-0123456789abcdef0',
  accountId: '123456789012',
  windowStart: '2026-11-01T10:05:00Z',
};

/** A concrete path for a path template, with sample values. */
const pathOf = (template: string): string =>
  template.replace(/\{(\w+)\}/g, (_whole, name: string) => {
    const sample = SAMPLES[name];
    if (sample === undefined) throw new Error(`no sample for {${name}}`);
    return sample;
  });

const request = (
  path: string,
  query: Record<string, string> = {},
  method = 'GET'
): ApiRequest => ({ method, path, query, headers: {} });

const resolve = (parameter: ParameterOrRef): Parameter => {
  if (!('$ref' in parameter)) return parameter;
  const name = parameter.$ref.replace('#/components/parameters/', '');
  const resolved = spec.components.parameters[name];
  if (resolved === undefined) throw new Error(`unresolved ${parameter.$ref}`);
  return resolved;
};

const parametersOf = (template: string): Parameter[] =>
  (spec.paths[template]?.get?.parameters ?? []).map(resolve);

const documentedCodes = (): string[] =>
  spec.components.schemas.Error.properties.error.properties.code.enum;

/** A reader of an empty table. */
const EMPTY_READER: RollupReader = {
  seriesPage: async () => ({ rollups: [], lastKey: null }),
  scopeTotal: async () => null,
  rollupPage: async () => ({ rollups: [], lastKey: null }),
  allRollups: async () => [],
  rankWindow: async () => ({ rollups: [], isMembershipExact: true }),
  topOfWindow: async () => [],
  ping: async () => undefined,
};

/** A ranker of an empty table. */
const EMPTY_RANKER: RangeRanker = {
  accounts: async () => [],
  rankRange: async () => ({
    enis: [],
    isMembershipExact: true,
    itemsRead: { rankings: 0, windows: 0 },
  }),
  scopes: async () => ({ accounts: [], vpcs: [], subnets: [], days: [] }),
  rejectionsOf: async () => ({
    rejections: { flows: [], sources: [], ports: [] },
    itemsRead: 0,
  }),
};

/** The error of routing, validating and querying `req`, if any. */
async function errorOf(req: ApiRequest): Promise<unknown> {
  try {
    const query = parseQueryParams(req, NOW);
    await queryRollups(query, {
      reader: EMPTY_READER,
      ranker: EMPTY_RANKER,
      catalog: memoryCatalog(),
      tokenSecret: 's',
    });
  } catch (error) {
    return error;
  }
  return undefined;
}

/** Values that no query parameter of the API accepts. */
const INVALID = 'not-valid';
const QUERY_PARAMS = [
  'from',
  'to',
  'limit',
  'by',
  'format',
  'nextToken',
  'step',
  'vpcId',
  'subnetId',
  'accountId',
];

describe('openapi.yaml', () => {
  it('documents exactly the routes the code serves', () => {
    // Act
    const documented = Object.keys(spec.paths).sort();
    // Assess
    expect(documented).toEqual([...ALL_PATHS].sort());
  });

  it.each(Object.entries(ROUTE_OF_PATH).map(([path, route]) => [route, path]))(
    'serves %s at its documented path %s',
    (route, template) => {
      // Prepare
      const req = request(pathOf(template));
      // Act
      const query = parseQueryParams(req, NOW);
      // Assess
      expect(query.route).toBe(route);
    }
  );

  it('documents only GET, the method the code serves', () => {
    // Act
    const methods = Object.values(spec.paths).flatMap(Object.keys);
    // Assess
    expect(new Set(methods)).toEqual(new Set(['get']));
  });

  it.each([
    '/enis/eni-0123456789abcdef0/flows',
    '/enis/eni-0123456789abcdef0',
    '/windows/2026-11-01T10:05:00Z/rollups',
    '/windows/2026-11-01T10:05:00Z',
    '/top/bytes',
  ])('answers 404 for %s, a path it does not document', (path) => {
    // Prepare
    const req = request(path);
    // Act and Assess
    expect(() => parseQueryParams(req, NOW)).toThrow(
      expect.objectContaining({ statusCode: 404, code: 'not_found' })
    );
  });

  it.each(ALL_PATHS.filter((path) => path !== '/health'))(
    'reads exactly the query parameters it documents for %s',
    async (template) => {
      // Prepare
      const documented = parametersOf(template)
        .filter((parameter) => parameter.in === 'query')
        .map((parameter) => parameter.name);
      // Act
      const named: string[] = [];
      for (const param of QUERY_PARAMS) {
        const error = await errorOf(
          request(pathOf(template), { [param]: INVALID })
        );
        if (error instanceof QueryError && error.statusCode === 400) {
          expect(error.param).toBe(param);
          named.push(param);
        } else {
          expect(error).toBeUndefined();
        }
      }
      // Assess
      expect(named.sort()).toEqual([...documented].sort());
    }
  );

  it('reads no query parameter on /health, as documented', async () => {
    // Prepare
    const query = Object.fromEntries(QUERY_PARAMS.map((p) => [p, INVALID]));
    // Act
    const parsed = parseQueryParams(request('/health', query), NOW);
    // Assess
    expect(parametersOf('/health')).toEqual([]);
    expect(parsed).toEqual({ route: 'health' });
  });

  it.each(ALL_PATHS.filter((path) => path.includes('{')))(
    'names the path parameter of %s in a 400 for a bad value',
    (template) => {
      // Prepare
      const [parameter] = parametersOf(template).filter(
        (candidate) => candidate.in === 'path'
      );
      if (parameter === undefined) throw new Error('no path parameter');
      const path = template.replace(`{${parameter.name}}`, INVALID);
      // Act and Assess
      expect(() => parseQueryParams(request(path), NOW)).toThrow(
        expect.objectContaining({ statusCode: 400, param: parameter.name })
      );
    }
  );

  it('accepts the interface ids its pattern accepts, and only those', () => {
    // Prepare
    const { pattern } = spec.components.parameters.interfaceId?.schema ?? {};
    if (pattern === undefined) throw new Error('no interfaceId pattern');
    const documented = new RegExp(pattern);
    const candidate = fc.oneof(
      fc.stringMatching(/^(eni|ENI|eni_)?-?[0-9a-fA-Fg]{0,19}$/),
      fc.string()
    );
    fc.assert(
      fc.property(candidate, (eni) => {
        // Act
        let accepted = true;
        try {
          parseQueryParams(
            request(`/enis/${encodeURIComponent(eni)}/summary`),
            NOW
          );
        } catch (error) {
          if (!(error instanceof QueryError)) throw error;
          accepted = false;
        }
        // Assess
        expect(accepted).toBe(documented.test(eni));
      }),
      { numRuns: 2000 }
    );
  });

  it('lists every error code the code produces', async () => {
    // Prepare: codes seen in the error responses the code gives
    const probes: ApiRequest[] = [
      request('/nowhere'),
      request(pathOf(PATH_OF.health), {}, 'POST'),
      request(pathOf(PATH_OF.rollups), { limit: '0' }),
      request(pathOf(PATH_OF.rollups), { to: String(NOW + 2 * 86_400) }),
      request(pathOf(PATH_OF.rollups), { from: '2020-01-01T00:00Z' }),
      request(pathOf(PATH_OF.rollups), { nextToken: 'x' }),
    ];
    const errors = await Promise.all(probes.map(errorOf));
    const failing: RollupReader = {
      ...EMPTY_READER,
      ping: async () => {
        throw new StoreError('down');
      },
    };
    const crowded: RangeRanker = {
      ...EMPTY_RANKER,
      accounts: async () =>
        Array.from({ length: MAX_ACCOUNTS + 1 }, (_, n) =>
          String(100_000_000_000 + n)
        ),
    };
    errors.push(
      await queryRollups(parseQueryParams(request('/top'), NOW), {
        reader: EMPTY_READER,
        ranker: crowded,
        catalog: memoryCatalog(),
        tokenSecret: 's',
      }).catch((error: unknown) => error),
      await queryRollups(
        { route: 'health' },
        {
          reader: failing,
          ranker: EMPTY_RANKER,
          catalog: memoryCatalog(),
          tokenSecret: 's',
        }
      ).catch((error: unknown) => error),
      new Error('a bug')
    );
    const seen = errors.map(
      (error) =>
        (JSON.parse(errorResponse(error).body) as { error: { code: string } })
          .error.code
    );
    // Prepare: codes written in shared/query, so a new one is not missed
    const dir = new URL('shared/query/', root);
    const source = readdirSync(dir)
      .map((name) => readFileSync(new URL(name, dir), 'utf8'))
      .join('\n');
    const written = [
      ...source.matchAll(/'([a-z]+(?:_[a-z]+)+)'/g),
      ...source.matchAll(/QueryError\(\s*\d{3},\s*'([a-z_]+)'/g),
    ].map((match) => match[1]);
    // Act
    const documented = documentedCodes();
    // Assess
    expect(new Set(seen).size).toBe(9);
    expect(documented).toEqual(expect.arrayContaining([...seen, ...written]));
    expect(new Set(seen)).toEqual(new Set(documented));
  });

  it('documents the limits and defaults of LIMITS', () => {
    // Prepare
    const limitOf = (template: string) =>
      parametersOf(template).find((parameter) => parameter.name === 'limit')
        ?.schema;
    // Act
    const rollups = limitOf(PATH_OF.rollups);
    const top = limitOf(PATH_OF.top);
    // Assess
    expect(rollups).toMatchObject({
      minimum: 1,
      maximum: LIMITS.rollupsMax,
      default: LIMITS.rollupsDefault,
    });
    expect(top).toMatchObject({
      minimum: 1,
      maximum: LIMITS.topMax,
      default: LIMITS.topDefault,
    });
    expect([LIMITS.rollupsDefault, LIMITS.rollupsMax]).toEqual([288, 2016]);
    expect([LIMITS.topDefault, LIMITS.topMax]).toEqual([10, 100]);
  });

  it('states the limits in the descriptions as LIMITS has them', () => {
    // Prepare
    const descriptionOf = (template: string, name: string) =>
      parametersOf(template).find((parameter) => parameter.name === name)
        ?.description ?? '';
    // Act
    const rollupsLimit = descriptionOf(PATH_OF.rollups, 'limit');
    const topLimit = descriptionOf(PATH_OF.top, 'limit');
    const to = descriptionOf(PATH_OF.rollups, 'to');
    const from = descriptionOf(PATH_OF.rollups, 'from');
    // Assess
    expect(rollupsLimit).toContain(`1 to ${LIMITS.rollupsMax}`);
    expect(rollupsLimit).toContain(`default ${LIMITS.rollupsDefault}`);
    expect(topLimit).toContain(`1 to ${LIMITS.topMax}`);
    expect(topLimit).toContain(`default ${LIMITS.topDefault}`);
    expect(to).toContain(`at most ${LIMITS.rangeSeconds / 86_400} days`);
    expect(to).toContain('a day in the future');
    expect(LIMITS.futureSeconds).toBe(86_400);
    expect(from).toContain('one hour');
    expect(LIMITS.defaultRangeSeconds).toBe(3600);
  });

  it('lists the by values and formats the code accepts', () => {
    // Prepare
    const enumOf = (template: string, name: string) =>
      parametersOf(template).find((parameter) => parameter.name === name)
        ?.schema;
    // Act
    const by = enumOf(PATH_OF.top, 'by');
    const format = enumOf(PATH_OF.rollups, 'format');
    // Assess
    expect(by?.enum).toEqual([...TOP_BY]);
    expect(by?.default).toBe('bytes');
    expect(format?.enum).toEqual(['json', 'csv']);
    for (const value of format?.enum ?? []) {
      expect(
        parseQueryParams(request(pathOf(PATH_OF.top), { format: value }), NOW)
      ).toMatchObject({ format: value });
    }
  });

  it.each([true, false])(
    'documents every field of the top body, membership as the code says it (exact: %s)',
    async (isMembershipExact) => {
      // Prepare
      const reader: RollupReader = {
        ...EMPTY_READER,
        rankWindow: async () => ({ rollups: [], isMembershipExact }),
      };
      const ok = spec.paths[PATH_OF.top]?.get?.responses['200'] as
        | {
            content: {
              'application/json': {
                schema: {
                  required: string[];
                  properties: Record<string, { enum?: string[] }>;
                };
              };
            };
          }
        | undefined;
      const schema = ok?.content['application/json'].schema;
      // Act
      const { body } = await queryRollups(
        parseQueryParams(request(pathOf(PATH_OF.top)), NOW),
        {
          reader,
          ranker: EMPTY_RANKER,
          catalog: memoryCatalog(),
          tokenSecret: 's',
        }
      );
      // Assess
      expect(Object.keys(body).sort()).toEqual(
        [...(schema?.required ?? [])].sort()
      );
      expect(schema?.properties.membership?.enum).toContain(body.membership);
      expect(schema?.properties.membership?.enum).toEqual([
        'exact',
        'approximate',
      ]);
    }
  );

  it('review finding: documents the 405 of every path, /health too', () => {
    // Prepare: the code answers 405 for POST on any known path
    const templates = Object.keys(spec.paths);
    // Act
    const without405 = templates.filter(
      (template) => !('405' in (spec.paths[template]?.get?.responses ?? {}))
    );
    // Assess
    for (const template of templates) {
      expect(() =>
        parseQueryParams(request(pathOf(template), {}, 'POST'), NOW)
      ).toThrow(expect.objectContaining({ statusCode: 405 }));
    }
    expect(without405).toEqual([]);
  });
});
