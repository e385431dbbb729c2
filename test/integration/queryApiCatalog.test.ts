/**
 * The ENI catalog in the query API's answers: the real queryApi handler
 * behind the local HTTP API stand-in, asked over real HTTP on 127.0.0.1,
 * against rollups that the real s3Ingest handler wrote to dynalite and
 * catalog items written to the same table by the real catalog store. A
 * known ENI carries its `catalog` (a deleted one with `deletedAt`), an
 * unknown one none; summary peers that belong to a known ENI are named;
 * the top ENIs carry their catalog, and their CSV a `name` and an
 * `interfaceType` column. Names come from EC2 tags, outside text: they
 * stay data in JSON and in CSV.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  COUNTERS,
  IDS,
  OPTIONAL_COUNTERS,
} from '../../shared/aggregate/mergeRollups.js';
import type {
  CatalogSummary,
  Ec2NetworkInterface,
} from '../../shared/catalog/catalogEntry.js';
import {
  fingerprintOf,
  toCatalogEntry,
} from '../../shared/catalog/catalogEntry.js';
import { DEFAULT_START_SECONDS } from '../../shared/generate/generateFlowLogLines.js';
import type { PeerEni } from '../../shared/query/attachCatalog.js';
import { createDynamoCatalogStore } from '../../shared/store/catalogStore.js';
import type { RejectedSource, Rollup, TopTalker } from '../../shared/types.js';
import { importS3Handler } from '../helpers/cloudwatchBatches.js';
import { storedRollups } from '../helpers/expectedRollups.js';
import {
  flowLogKey,
  generateFlowLogFile,
  interfaceIdsOf,
  upload,
} from '../helpers/flowLogObjects.js';
import {
  captureHandlerLogs,
  type HandlerLogs,
} from '../helpers/handlerLogs.js';
import { type IngestStack, startIngestStack } from '../helpers/ingestStack.js';
import {
  type ApiResponse,
  bodyOf,
  call,
  csvOfRows,
  parseCsv,
  type RollupsBody,
  type RunningApi,
  type SummaryBody,
  startQueryApi,
  type TopBody,
} from '../helpers/queryApi.js';
import { eventFor, loadSampleEvents } from '../helpers/s3Events.js';

const W = 300;
const HOUR = 3600;
/** The generated file: five ENIs, every one in each of its windows. */
const SEED = 7;
const ENIS = 5;
const RECORDS = 1500;
/** A range that holds every window of the file. */
const FROM = DEFAULT_START_SECONDS;
const TO = DEFAULT_START_SECONDS + HOUR;
/** When the catalog was written, and when EC2 stopped listing the deleted ENI. */
const NOW = DEFAULT_START_SECONDS + 2 * HOUR;
const DELETED_AT = NOW + 900;

/** A Name tag as anyone allowed to tag an ENI may write it: markup, a formula. */
const HOSTILE_NAME = `=cmd|' /C calc'!A0,"<script>alert(1)</script>"`;
const HOSTILE_DESCRIPTION = '<img src=x onerror=alert(1)> @SUM(1+1)';

/** The columns of a rollup row in CSV, before the catalog's two. */
const ROLLUP_CSV_COLUMNS = [
  'interfaceId',
  'windowStart',
  'window',
  ...COUNTERS,
  ...OPTIONAL_COUNTERS,
  ...IDS,
] as const;

const iso = (seconds: number): string =>
  new Date(seconds * 1000).toISOString().replace('.000Z', 'Z');

/** An answer that may name its ENI from the catalog. */
type Catalogued = { readonly catalog?: CatalogSummary };
type CataloguedRollups = RollupsBody & Catalogued;
type NamedTalker = TopTalker & {
  readonly label: string;
  readonly eni?: PeerEni;
};
type NamedSource = RejectedSource & {
  readonly label: string;
  readonly eni?: PeerEni;
};
type CataloguedSummary = Omit<
  SummaryBody,
  'topTalkers' | 'topRejectedSources'
> &
  Catalogued & {
    readonly topTalkers: NamedTalker[];
    readonly topRejectedSources: NamedSource[];
  };
type CataloguedTop = Omit<TopBody, 'enis'> & {
  readonly enis: (TopBody['enis'][number] & Catalogued)[];
};

/** A peer without what the catalog adds: the stored talker or source. */
const bare = <T extends { readonly label: string; readonly eni?: PeerEni }>({
  label: _label,
  eni: _eni,
  ...rest
}: T) => rest;

describe('queryApi with the ENI catalog', () => {
  let env: IngestStack;
  let api: RunningApi;
  let logs: HandlerLogs;
  /** The file's ENIs, sorted, and the roles the catalog gives them. */
  let enis: string[];
  let db: string;
  let lambda: string;
  let gone: string;
  let unknown: string;
  let hostile: string;
  /** A window that every ENI of the file has a rollup in. */
  let topWindow: number;
  /** Answers before the catalog held anything. */
  const rollupsBefore = new Map<string, CataloguedRollups>();
  const summariesBefore = new Map<string, CataloguedSummary>();
  /** Peers of the Lambda ENI's summary that the catalog then names. */
  let dbPeer: string;
  let dbSource: string;
  let anonymousSource: string;

  const get = (path: string): Promise<ApiResponse> => call(api.base, path);

  const rollupsPath = (eni: string, extra = '') =>
    `/enis/${eni}/rollups?from=${iso(FROM)}&to=${iso(TO)}&limit=100${extra}`;

  const summaryPath = (eni: string, extra = '') =>
    `/enis/${eni}/summary?from=${iso(FROM)}&to=${iso(TO)}${extra}`;

  const topPath = (extra = '') =>
    `/windows/${topWindow}/top?by=bytes&limit=100${extra}`;

  async function getJson<T>(path: string): Promise<T> {
    const response = await get(path);
    expect(response.status, response.text).toBe(200);
    return bodyOf<T>(response);
  }

  /** The interfaces as EC2 describes them (one tagged by an outsider). */
  const described = (): Ec2NetworkInterface[] => [
    {
      NetworkInterfaceId: db,
      VpcId: 'vpc-0a1b2c3d4e5f60718',
      SubnetId: 'subnet-0123456789abcdef0',
      AvailabilityZone: 'us-east-1a',
      InterfaceType: 'interface',
      Description: 'Primary database',
      OwnerId: '123456789012',
      Attachment: { InstanceId: 'i-0123456789abcdef0' },
      Groups: [
        { GroupId: 'sg-0aaaaaaaaaaaaaaa1', GroupName: 'db' },
        { GroupId: 'sg-0bbbbbbbbbbbbbbb2' },
      ],
      PrivateIpAddress: dbPeer,
      PrivateIpAddresses: [{ PrivateIpAddress: dbPeer }],
      TagSet: [{ Key: 'Name', Value: 'db-primary' }],
    },
    {
      NetworkInterfaceId: lambda,
      VpcId: 'vpc-0a1b2c3d4e5f60718',
      SubnetId: 'subnet-0fedcba9876543210',
      InterfaceType: 'lambda',
      Description:
        'AWS Lambda VPC ENI-orders-4f0d2c1e-9b8a-4c7d-8e6f-5a4b3c2d1e0f',
      RequesterId: 'AROAEXAMPLE:orders',
      RequesterManaged: true,
      Groups: [{ GroupId: 'sg-0ccccccccccccccc3', GroupName: 'lambda' }],
    },
    {
      NetworkInterfaceId: gone,
      VpcId: 'vpc-0f1e2d3c4b5a69788',
      SubnetId: 'subnet-0aaaabbbbccccdddd',
      InterfaceType: 'nat_gateway',
      Description: 'Interface for NAT Gateway nat-0123456789abcdef0',
      RequesterManaged: true,
      Groups: [],
    },
    {
      NetworkInterfaceId: hostile,
      VpcId: 'vpc-0a1b2c3d4e5f60718',
      SubnetId: 'subnet-0123456789abcdef0',
      InterfaceType: 'interface',
      Description: HOSTILE_DESCRIPTION,
      Groups: [{ GroupId: 'sg-0ddddddddddddddd4', GroupName: '+1 group' }],
      TagSet: [{ Key: 'Name', Value: HOSTILE_NAME }],
    },
  ];

  beforeAll(async () => {
    env = await startIngestStack('query-catalog');
    logs = captureHandlerLogs();
    const samples = await loadSampleEvents();
    const s3Ingest = await importS3Handler({});
    const file = generateFlowLogFile({
      records: RECORDS,
      enis: ENIS,
      seed: SEED,
    });
    const object = await upload(
      env.stack.s3,
      env.bucket,
      flowLogKey('catalog'),
      file.gzip
    );
    await s3Ingest.invoke(eventFor(samples, 's3', [object]));
    const eniSet = interfaceIdsOf(file.fieldNames, file.lines);
    enis = [...eniSet].sort();
    [db = '', lambda = '', gone = '', unknown = '', hostile = ''] = enis;
    const stored: Rollup[] = await storedRollups(
      env.stack.dynamo,
      env.tableName,
      eniSet
    );
    const enisOf = (windowStart: number) =>
      stored.filter((rollup) => rollup.windowStart === windowStart).length;
    topWindow =
      [...new Set(stored.map((rollup) => rollup.windowStart))].sort(
        (a, b) => enisOf(b) - enisOf(a) || a - b
      )[0] ?? 0;

    api = await startQueryApi();

    // Answers before the catalog knows anything; peers to name from them.
    for (const eni of enis) {
      rollupsBefore.set(
        eni,
        await getJson<CataloguedRollups>(rollupsPath(eni))
      );
      summariesBefore.set(
        eni,
        await getJson<CataloguedSummary>(summaryPath(eni))
      );
    }
    const lambdaSummary = summariesBefore.get(lambda);
    const talkers = lambdaSummary?.topTalkers.map((talker) => talker.peer);
    dbPeer =
      talkers?.find((peer) => peer.startsWith('10.')) ?? talkers?.[0] ?? '';
    const sources = (lambdaSummary?.topRejectedSources ?? [])
      .map((source) => source.address)
      .filter((address) => address !== dbPeer);
    [dbSource = '', anonymousSource = ''] = sources;

    // The catalog, as a refresh writes it.
    const store = createDynamoCatalogStore(env.stack.dynamo, {
      tableName: env.tableName,
      retentionDays: 30,
      concurrency: 4,
    });
    for (const eni of described()) {
      const entry = toCatalogEntry(
        eni,
        new Map([['i-0123456789abcdef0', 'db-host']])
      );
      if (entry === null) throw new Error('an ENI without an id');
      await store.putEntry(entry, fingerprintOf(entry), NOW);
    }
    await store.markDeleted(gone, DELETED_AT);
    const named = { interfaceId: db, name: 'db-primary' };
    await store.putAddress(dbPeer, named, 'fp-peer', NOW);
    await store.putAddress(dbSource, named, 'fp-source', NOW);
    await store.putAddress(
      anonymousSource,
      { interfaceId: gone, name: null },
      'fp-anonymous',
      NOW
    );
  }, 60_000);

  afterAll(async () => {
    await api?.close();
    logs?.restore();
    await env?.close();
  });

  /** The catalog summaries the API must attach, by hand from `described`. */
  const expectedCatalog = (): Record<string, CatalogSummary> => ({
    [db]: {
      name: 'db-primary',
      interfaceType: 'interface',
      description: 'Primary database',
      vpcId: 'vpc-0a1b2c3d4e5f60718',
      subnetId: 'subnet-0123456789abcdef0',
      instanceId: 'i-0123456789abcdef0',
      securityGroups: [
        { id: 'sg-0aaaaaaaaaaaaaaa1', name: 'db' },
        { id: 'sg-0bbbbbbbbbbbbbbb2', name: null },
      ],
    },
    [lambda]: {
      name: 'Lambda orders',
      interfaceType: 'lambda',
      description:
        'AWS Lambda VPC ENI-orders-4f0d2c1e-9b8a-4c7d-8e6f-5a4b3c2d1e0f',
      vpcId: 'vpc-0a1b2c3d4e5f60718',
      subnetId: 'subnet-0fedcba9876543210',
      instanceId: null,
      securityGroups: [{ id: 'sg-0ccccccccccccccc3', name: 'lambda' }],
    },
    [gone]: {
      name: 'NAT gateway nat-0123456789abcdef0',
      interfaceType: 'nat_gateway',
      description: 'Interface for NAT Gateway nat-0123456789abcdef0',
      vpcId: 'vpc-0f1e2d3c4b5a69788',
      subnetId: 'subnet-0aaaabbbbccccdddd',
      instanceId: null,
      securityGroups: [],
      deletedAt: DELETED_AT,
    },
    [hostile]: {
      name: HOSTILE_NAME,
      interfaceType: 'interface',
      description: HOSTILE_DESCRIPTION,
      vpcId: 'vpc-0a1b2c3d4e5f60718',
      subnetId: 'subnet-0123456789abcdef0',
      instanceId: null,
      securityGroups: [{ id: 'sg-0ddddddddddddddd4', name: '+1 group' }],
    },
  });

  it('ingests a file whose every ENI shares a window, with peers to name', () => {
    // Assess
    expect(enis).toHaveLength(ENIS);
    expect(topWindow).toBeGreaterThanOrEqual(FROM);
    expect(topWindow % W).toBe(0);
    expect(dbPeer).not.toBe('');
    expect(dbSource).not.toBe('');
    expect(anonymousSource).not.toBe('');
    for (const eni of enis) {
      expect(rollupsBefore.get(eni)?.rollups.length).toBeGreaterThan(0);
      expect(rollupsBefore.get(eni)).not.toHaveProperty('catalog');
      expect(summariesBefore.get(eni)).not.toHaveProperty('catalog');
    }
  });

  describe('GET /enis/{interfaceId}/rollups', () => {
    it('adds the catalog summary of a known ENI and leaves the rollups as they were', async () => {
      // Act
      const body = await getJson<CataloguedRollups>(rollupsPath(db));

      // Assess
      expect(body.catalog).toEqual(expectedCatalog()[db]);
      expect(body.catalog).not.toHaveProperty('deletedAt');
      const { catalog: _catalog, ...rest } = body;
      expect(rest).toEqual(rollupsBefore.get(db));
    });

    it('adds no catalog key for an ENI the catalog does not know', async () => {
      // Act
      const response = await get(rollupsPath(unknown));

      // Assess
      expect(response.status).toBe(200);
      const body = bodyOf<CataloguedRollups>(response);
      expect(Object.keys(body)).not.toContain('catalog');
      expect(body).toEqual(rollupsBefore.get(unknown));
    });

    it('adds deletedAt to the catalog of an ENI that EC2 no longer lists', async () => {
      // Act
      const body = await getJson<CataloguedRollups>(rollupsPath(gone));

      // Assess
      expect(body.catalog).toEqual(expectedCatalog()[gone]);
      expect(body.catalog?.deletedAt).toBe(DELETED_AT);
    });

    it('keeps the catalog out of the CSV of rollups and of a summary', async () => {
      // Act
      const rollups = await get(rollupsPath(db, '&format=csv'));
      const summary = await get(summaryPath(db, '&format=csv'));

      // Assess
      expect(rollups.status).toBe(200);
      expect(summary.status).toBe(200);
      expect(parseCsv(rollups.text)[0]).toEqual([...ROLLUP_CSV_COLUMNS]);
      expect(parseCsv(summary.text)[0]).not.toContain('catalog');
      for (const text of [rollups.text, summary.text]) {
        expect(text).not.toContain('db-primary');
        expect(text).not.toContain('[object Object]');
      }
    });
  });

  describe('GET /enis/{interfaceId}/summary', () => {
    it('adds the catalog summary of each known ENI and none for the unknown one', async () => {
      // Act
      const bodies = await Promise.all(
        enis.map((eni) => getJson<CataloguedSummary>(summaryPath(eni)))
      );

      // Assess
      const expected = expectedCatalog();
      for (const [i, eni] of enis.entries()) {
        const body = bodies[i];
        expect(body?.interfaceId).toBe(eni);
        if (eni === unknown) {
          expect(Object.keys(body ?? {})).not.toContain('catalog');
        } else {
          expect(body?.catalog).toEqual(expected[eni]);
        }
        expect(body?.totals).toEqual(summariesBefore.get(eni)?.totals);
        expect(body?.windows).toBe(summariesBefore.get(eni)?.windows);
      }
    });

    it('labels a top talker whose address belongs to a known ENI with its name', async () => {
      // Act
      const body = await getJson<CataloguedSummary>(summaryPath(lambda));

      // Assess
      const named = body.topTalkers.find((talker) => talker.peer === dbPeer);
      expect(named?.label).toBe(`${dbPeer} (db-primary)`);
      expect(named?.eni).toEqual({ interfaceId: db, name: 'db-primary' });
      for (const talker of body.topTalkers) {
        if (talker.peer === dbPeer) continue;
        expect(talker.label).toBe(talker.peer);
        expect(Object.keys(talker)).not.toContain('eni');
      }
      expect(body.topTalkers.map(bare)).toEqual(
        summariesBefore.get(lambda)?.topTalkers.map(bare)
      );
    });

    it('labels rejected sources the same way, with the address alone for an owner without a name', async () => {
      // Act
      const body = await getJson<CataloguedSummary>(summaryPath(lambda));

      // Assess
      const byAddress = new Map(
        body.topRejectedSources.map((source) => [source.address, source])
      );
      expect(byAddress.get(dbSource)?.label).toBe(`${dbSource} (db-primary)`);
      expect(byAddress.get(dbSource)?.eni).toEqual({
        interfaceId: db,
        name: 'db-primary',
      });
      expect(byAddress.get(anonymousSource)?.label).toBe(anonymousSource);
      expect(byAddress.get(anonymousSource)?.eni).toEqual({
        interfaceId: gone,
        name: null,
      });
      for (const source of body.topRejectedSources) {
        if (source.address === dbSource || source.address === anonymousSource)
          continue;
        expect(source.label).toBe(source.address);
        expect(Object.keys(source)).not.toContain('eni');
      }
      expect(body.topRejectedSources.map(bare)).toEqual(
        summariesBefore.get(lambda)?.topRejectedSources.map(bare)
      );
    });

    it('names the same peer in the summary of every ENI that talked to it', async () => {
      // Act
      const bodies = await Promise.all(
        enis.map((eni) => getJson<CataloguedSummary>(summaryPath(eni)))
      );

      // Assess
      const named = bodies.flatMap((body) =>
        body.topTalkers.filter((talker) => talker.peer === dbPeer)
      );
      expect(named.length).toBeGreaterThan(0);
      for (const talker of named) {
        expect(talker.label).toBe(`${dbPeer} (db-primary)`);
        expect(talker.eni).toEqual({ interfaceId: db, name: 'db-primary' });
      }
    });
  });

  describe('GET /windows/{windowStart}/top', () => {
    it('adds the catalog of each known ENI and none for the unknown one', async () => {
      // Act
      const body = await getJson<CataloguedTop>(topPath());

      // Assess
      const expected = expectedCatalog();
      expect(body.enis.map((row) => row.interfaceId).sort()).toEqual(enis);
      for (const row of body.enis) {
        if (row.interfaceId === unknown) {
          expect(Object.keys(row)).not.toContain('catalog');
        } else {
          expect(row.catalog).toEqual(expected[row.interfaceId]);
        }
      }
      const deleted = body.enis.find((row) => row.interfaceId === gone);
      expect(deleted?.catalog?.deletedAt).toBe(DELETED_AT);
      const bytes = body.enis.map((row) => row.bytes);
      expect(bytes).toEqual([...bytes].sort((a, b) => b - a));
    });

    it('adds name and interfaceType columns to the CSV, empty for the unknown ENI', async () => {
      // Prepare
      const json = await getJson<CataloguedTop>(topPath());

      // Act
      const response = await get(topPath('&format=csv'));

      // Assess
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe(
        'text/csv; charset=utf-8'
      );
      const records = parseCsv(response.text);
      const columns = [...ROLLUP_CSV_COLUMNS, 'name', 'interfaceType'];
      expect(records[0]).toEqual(columns);
      const rows = json.enis.map(({ catalog, ...row }) => ({
        ...row,
        name: catalog?.name,
        interfaceType: catalog?.interfaceType,
      }));
      const expected = csvOfRows(columns, rows);
      // The outsider's name is checked on its own below.
      const at = rows.findIndex((row) => row.interfaceId === hostile) + 1;
      expect(records.filter((_, i) => i !== at)).toEqual(
        expected.filter((_, i) => i !== at)
      );
      const cells = new Map(
        records.slice(1).map((record) => [record[0], record.slice(-2)])
      );
      expect(cells.get(db)).toEqual(['db-primary', 'interface']);
      expect(cells.get(lambda)).toEqual(['Lambda orders', 'lambda']);
      expect(cells.get(gone)).toEqual([
        'NAT gateway nat-0123456789abcdef0',
        'nat_gateway',
      ]);
      expect(cells.get(unknown)).toEqual(['', '']);
    });
  });

  describe('outside text in a Name tag', () => {
    it('comes back as the same JSON string, markup and formula untouched', async () => {
      // Act
      const responses = await Promise.all([
        get(rollupsPath(hostile)),
        get(summaryPath(hostile)),
        get(topPath()),
      ]);

      // Assess
      for (const response of responses) {
        expect(response.status).toBe(200);
        expect(response.headers.get('content-type')).toBe('application/json');
        expect(response.text).toContain(JSON.stringify(HOSTILE_NAME));
      }
      const [rollups, summary, top] = responses.map((response) =>
        bodyOf<Catalogued & CataloguedTop>(response)
      );
      expect(rollups?.catalog?.name).toBe(HOSTILE_NAME);
      expect(rollups?.catalog?.description).toBe(HOSTILE_DESCRIPTION);
      expect(summary?.catalog).toEqual(expectedCatalog()[hostile]);
      expect(
        top?.enis.find((row) => row.interfaceId === hostile)?.catalog
      ).toEqual(expectedCatalog()[hostile]);
    });

    it('is neutralised in the CSV so that a spreadsheet reads it as text, not a formula', async () => {
      // Act
      const response = await get(topPath('&format=csv'));

      // Assess
      expect(response.status).toBe(200);
      const records = parseCsv(response.text);
      const nameAt = records[0]?.indexOf('name') ?? -1;
      const record = records.find((cells) => cells[0] === hostile);
      const name = record?.[nameAt] ?? '';
      // OWASP CSV injection: no cell may start with = + - @ (or tab, CR).
      expect(name).not.toMatch(/^[=+\-@\t\r]/);
      // The text itself is kept behind whatever neutralises it.
      expect(name.endsWith(HOSTILE_NAME)).toBe(true);
      expect(name.length).toBeLessThanOrEqual(HOSTILE_NAME.length + 1);
    });
  });
});
