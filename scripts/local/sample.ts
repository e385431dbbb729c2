/**
 * What `npm start` ingests: the names events/*.json point at. The table
 * name is the one serverless.yml gives the `dev` stage, so
 * `serverless invoke local` finds it.
 */
const LOCAL_TABLE = 'flowlog-rollups-dev-rollups';
const SAMPLE_BUCKET = 'flowlog-rollups-local';
const SAMPLE_KEY =
  'AWSLogs/123456789012/vpcflowlogs/us-east-1/2026/11/01/123456789012_vpcflowlogs_us-east-1_fl-0123456789abcdef0_20261101T0010Z_3f2a9c1e.log.gz';
/** Generated sample: records, ENIs and seed (deterministic: same bytes, same ETag). */
const SAMPLE = { records: 20_000, enis: 12, seed: 1 } as const;

/** The first window of the sample (2026-11-01T00:00:00Z, the generator's default start). */
const SAMPLE_WINDOW = 1_793_491_200;

export { LOCAL_TABLE, SAMPLE, SAMPLE_BUCKET, SAMPLE_KEY, SAMPLE_WINDOW };
