import { readdirSync, readFileSync } from 'node:fs';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import {
  decodeCloudWatchLogs,
  interfaceIdOfStream,
} from '../../shared/decode/cloudwatchLogs.js';
import { classifyFlowLogKey } from '../../shared/decode/flowLogKey.js';
import {
  isSqsEvent,
  objectsFromEvent,
  objectsFromMessageBody,
} from '../../shared/decode/s3Notification.js';
import { DEFAULT_FORMAT } from '../../shared/parse/flowLogFormat.js';
import { parseFlowLogText } from '../../shared/parse/parseFlowLogLine.js';
import type { ApiRequest } from '../../shared/query/apiQuery.js';
import { parseQueryParams } from '../../shared/query/parseQueryParams.js';
import type { S3ObjectRef } from '../../shared/types.js';

const eventsDir = new URL('../../events/', import.meta.url);
const loadEvent = (name: string): unknown =>
  JSON.parse(readFileSync(new URL(name, eventsDir), 'utf8'));

const seconds = (iso: string): number => Date.parse(iso) / 1000;

/** The object `npm start` uploads, which every S3 sample points at. */
const SAMPLE_OBJECT = {
  bucket: 'flowlog-rollups-local',
  key: 'AWSLogs/123456789012/vpcflowlogs/us-east-1/2026/11/01/123456789012_vpcflowlogs_us-east-1_fl-0123456789abcdef0_20261101T0010Z_3f2a9c1e.log.gz',
};
const SAMPLE_ENI = 'eni-a08ff49b6f7726327';
const SAMPLE_HOUR = {
  from: seconds('2026-11-01T00:00:00Z'),
  to: seconds('2026-11-01T01:00:00Z'),
};

/** s3Ingest's samples, and whether the handler takes them as an SQS batch. */
const S3_INGEST_EVENTS: readonly (readonly [file: string, viaSqs: boolean])[] =
  [
    ['s3-object-created.json', false],
    ['eventbridge-s3-object-created.json', false],
    ['sqs-s3-notification.json', true],
    ['sns-in-sqs-s3-notification.json', true],
  ];

const CLOUDWATCH_INGEST_EVENTS = ['cloudwatch-logs-subscription.json'];

/** queryApi's samples: the route each one is for and what it asks. */
const QUERY_API_EVENTS: readonly (readonly [
  file: string,
  routeKey: string,
  query: Readonly<Record<string, unknown>>,
])[] = [
  [
    'api-rollups.json',
    'GET /enis/{interfaceId}/rollups',
    { route: 'rollups', interfaceId: SAMPLE_ENI, ...SAMPLE_HOUR },
  ],
  [
    'api-summary.json',
    'GET /enis/{interfaceId}/summary',
    { route: 'summary', interfaceId: SAMPLE_ENI, ...SAMPLE_HOUR },
  ],
  [
    'api-top.json',
    'GET /windows/{windowStart}/top',
    {
      route: 'top',
      windowStart: seconds('2026-11-01T00:00:00Z'),
      by: 'bytes',
      limit: 5,
    },
  ],
];

/** The objects s3Ingest decodes from an event, dispatched as functions/s3Ingest.ts does. */
function s3IngestObjects(event: unknown): {
  viaSqs: boolean;
  objects: S3ObjectRef[];
} {
  if (isSqsEvent(event)) {
    return {
      viaSqs: true,
      objects: event.Records.flatMap((record) =>
        objectsFromMessageBody(record.body)
      ),
    };
  }
  return { viaSqs: false, objects: objectsFromEvent(event) };
}

/** The request functions/queryApi.ts builds from an HTTP API event. */
const apiRequestOf = (event: APIGatewayProxyEventV2): ApiRequest => ({
  method: event.requestContext.http.method,
  path: event.rawPath,
  query: event.queryStringParameters ?? {},
  headers: event.headers ?? {},
});

describe('events/', () => {
  it('has a case in this file for every sample event', () => {
    // Prepare
    const covered = [
      ...S3_INGEST_EVENTS.map(([file]) => file),
      ...CLOUDWATCH_INGEST_EVENTS,
      ...QUERY_API_EVENTS.map(([file]) => file),
    ].sort();
    // Act
    const files = readdirSync(eventsDir)
      .filter((name) => name !== 'README.md')
      .sort();
    // Assess
    expect(files).toEqual(covered);
  });

  it.each(S3_INGEST_EVENTS)(
    'decodes %s to the sample object, as s3Ingest does',
    (file, viaSqs) => {
      // Prepare
      const event = loadEvent(file);
      // Act
      const decoded = s3IngestObjects(event);
      // Assess
      expect(decoded.viaSqs).toBe(viaSqs);
      expect(decoded.objects).toEqual([expect.objectContaining(SAMPLE_OBJECT)]);
      expect(classifyFlowLogKey(SAMPLE_OBJECT.key)).toMatchObject({
        kind: 'flow-log',
        fileFormat: 'text',
      });
    }
  );

  it.each(CLOUDWATCH_INGEST_EVENTS)(
    'decodes %s to v2 records of one ENI of /vpc/flow-logs, as cloudwatchIngest does',
    (file) => {
      // Prepare
      const event = loadEvent(file);
      // Act
      const payload = decodeCloudWatchLogs(event);
      // Assess
      if (payload.kind !== 'data') {
        throw new Error(`${file} is a ${payload.kind} message, not data`);
      }
      expect(payload.logGroup).toBe('/vpc/flow-logs');
      expect(interfaceIdOfStream(payload.logStream)).toBe(SAMPLE_ENI);
      expect(payload.logEvents).toHaveLength(50);
      const results = payload.logEvents.map((logEvent, index) =>
        parseFlowLogText(logEvent.message, index + 1, DEFAULT_FORMAT)
      );
      expect(results.filter((result) => result?.success !== true)).toEqual([]);
    }
  );

  it.each(QUERY_API_EVENTS)(
    'routes %s to %s, as queryApi does',
    (file, routeKey, expected) => {
      // Prepare
      const event = loadEvent(file) as APIGatewayProxyEventV2;
      // The request's own time, after the sample hour.
      const now = event.requestContext.timeEpoch / 1000;
      // Act
      const query = parseQueryParams(apiRequestOf(event), now);
      // Assess
      expect(event.routeKey).toBe(routeKey);
      expect(event.requestContext.routeKey).toBe(routeKey);
      expect(now).toBeGreaterThan(SAMPLE_HOUR.to);
      expect(query).toMatchObject({ ...expected, format: 'json' });
    }
  );
});
