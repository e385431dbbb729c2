import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  METRICS_NAMESPACE,
  SERVICE_NAME,
} from '../../shared/observe/ingestMetrics.js';

/**
 * The CloudFormation template that `npx serverless package` (osls) builds
 * from serverless.yml, offline, for the default stage and for prod.
 */

interface CfnResource {
  readonly Type: string;
  readonly Properties?: Readonly<Record<string, unknown>>;
  readonly DeletionPolicy?: string;
  readonly UpdateReplacePolicy?: string;
  readonly Condition?: string;
}

interface CfnTemplate {
  readonly Resources: Readonly<Record<string, CfnResource>>;
}

interface PolicyStatement {
  readonly Effect?: unknown;
  readonly Action?: unknown;
  readonly NotAction?: unknown;
  readonly Resource?: unknown;
  readonly NotResource?: unknown;
}

interface InlinePolicy {
  readonly PolicyDocument: { readonly Statement: readonly PolicyStatement[] };
}

/** An S3 bucket's Lambda notifications, as far as the tests read them. */
interface BucketNotifications {
  readonly LambdaConfigurations?: readonly {
    readonly Event?: unknown;
    readonly Function?: unknown;
    readonly Filter?: {
      readonly S3Key?: {
        readonly Rules?: readonly { Name: string; Value: string }[];
      };
    };
  }[];
}

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const PACKAGE_TIMEOUT_MS = 170_000;
const execFileAsync = promisify(execFile);

/** Variables that could hand the framework AWS credentials: none are passed on. */
const CREDENTIAL_VARIABLES = new Set([
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
  'AWS_PROFILE',
  'AWS_DEFAULT_PROFILE',
  'AWS_ROLE_ARN',
  'AWS_WEB_IDENTITY_TOKEN_FILE',
  'AWS_CONTAINER_CREDENTIALS_RELATIVE_URI',
  'AWS_CONTAINER_CREDENTIALS_FULL_URI',
]);

/** This environment without credentials, config files or instance metadata, with `dir` as the temp dir. */
function offlineEnv(dir: string): NodeJS.ProcessEnv {
  const kept = Object.entries(process.env).filter(
    ([name]) => !CREDENTIAL_VARIABLES.has(name)
  );
  return {
    ...Object.fromEntries(kept),
    AWS_SHARED_CREDENTIALS_FILE: join(dir, 'no-credentials'),
    AWS_CONFIG_FILE: join(dir, 'no-config'),
    AWS_EC2_METADATA_DISABLED: 'true',
    // osls leaves its build directory in the temp dir: keep it in ours.
    TMPDIR: dir,
    SLS_TELEMETRY_DISABLED: '1',
    SLS_NOTIFICATIONS_MODE: 'off',
    SLS_INTERACTIVE_SETUP_DISABLE: '1',
  };
}

/** Runs `npx serverless package` into `dir` and reads the update template. */
async function packageStack(
  dir: string,
  stageArgs: readonly string[]
): Promise<CfnTemplate> {
  const out = join(dir, 'package');
  await execFileAsync(
    'npx',
    ['--no', 'serverless', 'package', '--package', out, ...stageArgs],
    {
      cwd: ROOT,
      env: offlineEnv(dir),
      timeout: PACKAGE_TIMEOUT_MS,
      maxBuffer: 16 * 1024 * 1024,
    }
  );
  const text = readFileSync(
    join(out, 'cloudformation-template-update-stack.json'),
    'utf8'
  );
  return JSON.parse(text) as CfnTemplate;
}

const asList = (value: unknown): readonly unknown[] =>
  Array.isArray(value) ? value : [value];

function resourceOf(template: CfnTemplate, id: string): CfnResource {
  const resource = template.Resources[id];
  if (resource === undefined) {
    throw new Error(`the template has no resource ${id}`);
  }
  return resource;
}

const resourcesOfType = (
  template: CfnTemplate,
  type: string
): (readonly [string, CfnResource])[] =>
  Object.entries(template.Resources).filter(
    ([, resource]) => resource.Type === type
  );

const propertiesOfType = (
  template: CfnTemplate,
  type: string
): Readonly<Record<string, unknown>>[] =>
  resourcesOfType(template, type).map(
    ([, resource]) => resource.Properties ?? {}
  );

/** Every statement of every policy document anywhere in the template. */
function statementsIn(value: unknown): PolicyStatement[] {
  if (Array.isArray(value)) return value.flatMap(statementsIn);
  if (typeof value !== 'object' || value === null) return [];
  const found: PolicyStatement[] = [];
  for (const [name, child] of Object.entries(value)) {
    if (name === 'Statement' && Array.isArray(child)) {
      found.push(...(child as PolicyStatement[]));
    } else {
      found.push(...statementsIn(child));
    }
  }
  return found;
}

const allowStatementsOf = (template: CfnTemplate): PolicyStatement[] =>
  statementsIn(template.Resources).filter(
    (statement) => statement.Effect === 'Allow'
  );

/** The statements of a role's inline policies. */
const roleStatementsOf = (role: CfnResource): PolicyStatement[] =>
  (asList(role.Properties?.Policies ?? []) as InlinePolicy[]).flatMap(
    (policy) => policy.PolicyDocument.Statement
  );

/** Each (action, resource) pair a statement allows, as comparable text. */
const grantsOf = (statements: readonly PolicyStatement[]): string[] =>
  statements
    .flatMap((statement) =>
      asList(statement.Action).flatMap((action) =>
        asList(statement.Resource).map(
          (resource) => `${String(action)} on ${JSON.stringify(resource)}`
        )
      )
    )
    .sort();

const grants = (
  actions: readonly string[],
  resources: readonly unknown[]
): string[] =>
  grantsOf([{ Effect: 'Allow', Action: actions, Resource: resources }]);

const getAtt = (id: string, attribute: string) => ({
  'Fn::GetAtt': [id, attribute],
});
const ref = (id: string) => ({ Ref: id });

const TABLE_ARN = getAtt('RollupTable', 'Arn');
const QUEUE_ARN = getAtt('FailedEventsQueue', 'Arn');
const FLOW_LOG_OBJECTS = {
  'Fn::Sub':
    'arn:${AWS::Partition}:s3:::flowlog-rollups-dev-flowlogs/AWSLogs/*',
};
const FLOW_LOG_BUCKET = {
  'Fn::Sub': 'arn:${AWS::Partition}:s3:::flowlog-rollups-dev-flowlogs',
};
const LOG_ACTIONS = [
  'logs:CreateLogGroup',
  'logs:CreateLogStream',
  'logs:PutLogEvents',
];
const logStreamsOf = (functionName: string) => ({
  'Fn::Sub':
    'arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:' +
    `/aws/lambda/flowlog-rollups-dev-${functionName}:*:*`,
});

const FUNCTIONS = [
  { name: 's3Ingest', logicalId: 'S3Ingest' },
  { name: 'cloudwatchIngest', logicalId: 'CloudwatchIngest' },
  { name: 'queryApi', logicalId: 'QueryApi' },
  { name: 'eniCatalog', logicalId: 'EniCatalog' },
] as const;
const ASYNC_FUNCTIONS = FUNCTIONS.filter(
  ({ name }) => name === 's3Ingest' || name === 'cloudwatchIngest'
);
/** The EC2 calls of the catalog refresh: they allow no resource but `*`. */
const CATALOG_DESCRIBE_ACTIONS = [
  'ec2:DescribeNetworkInterfaces',
  'ec2:DescribeInstances',
];
const CATALOG_INDEX_ARN = {
  'Fn::Join': ['/', [TABLE_ARN, 'index', 'catalog']],
};

/**
 * The ingest functions' table actions: the counters updates and ranking
 * puts, the read after a failed condition when DynamoDB did not return
 * the item, and the scope tiers' reads and puts.
 */
const INGEST_TABLE_ACTIONS = [
  'dynamodb:UpdateItem',
  'dynamodb:PutItem',
  'dynamodb:GetItem',
  // A scope's windows (hours), read to recompute its hour (day).
  'dynamodb:Query',
];

/** What each function's role allows besides writing its own logs. */
const FUNCTION_GRANTS: Readonly<Record<string, string[]>> = {
  s3Ingest: [
    ...grants(['s3:GetObject', 's3:GetObjectVersion'], [FLOW_LOG_OBJECTS]),
    // ListBucket (under AWSLogs/ only) makes a deleted object a 404.
    ...grants(['s3:ListBucket'], [FLOW_LOG_BUCKET]),
    ...grants(INGEST_TABLE_ACTIONS, [TABLE_ARN]),
    // The ENI catalog places v2 records in their VPC and subnet.
    ...grants(['dynamodb:BatchGetItem'], [TABLE_ARN]),
    ...grants(['sqs:SendMessage'], [QUEUE_ARN]),
  ],
  cloudwatchIngest: [
    ...grants(INGEST_TABLE_ACTIONS, [TABLE_ARN]),
    ...grants(['dynamodb:BatchGetItem'], [TABLE_ARN]),
    ...grants(['sqs:SendMessage'], [QUEUE_ARN]),
    // Without FLOW_LOG_FORMAT=auto, the discovery statement is a no-op.
    ...grants(['logs:PutLogEvents'], [logStreamsOf('cloudwatchIngest')]),
  ],
  // No index: the top of a window reads ranking items of the table.
  queryApi: grants(
    ['dynamodb:Query', 'dynamodb:GetItem', 'dynamodb:BatchGetItem'],
    [TABLE_ARN]
  ),
  // The two Describe calls, the catalog's writes, and its index listing.
  eniCatalog: [
    ...grants(CATALOG_DESCRIBE_ACTIONS, ['*']),
    ...grants(
      ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem'],
      [TABLE_ARN]
    ),
    ...grants(['dynamodb:Query'], [CATALOG_INDEX_ARN]),
  ],
};

const DOCUMENTED_ROUTES = [
  'GET /enis/{interfaceId}/rollups',
  'GET /enis/{interfaceId}/summary',
  'GET /windows/{windowStart}/top',
  'GET /health',
  // The dashboard's page: `/{proxy+}` does not match the root.
  'GET /',
];

const workDirs: string[] = [];
type Variant = 'dev' | 'prod' | 'sqsOpen';
const templates: Record<Variant, CfnTemplate | undefined> = {
  dev: undefined,
  prod: undefined,
  sqsOpen: undefined,
};

function templateOf(stage: Variant): CfnTemplate {
  const template = templates[stage];
  if (template === undefined) {
    throw new Error(`serverless package did not run for ${stage}`);
  }
  return template;
}

beforeAll(
  async () => {
    // One after the other: serverless-esbuild builds in the repo's .esbuild/.
    for (const [stage, stageArgs] of [
      ['dev', []],
      ['prod', ['--stage', 'prod', '--param', 'tracing=true']],
      [
        'sqsOpen',
        [
          '--param',
          's3Delivery=sqs',
          '--param',
          'apiAuthorization=none',
          '--param',
          'flowLogFormat=auto',
        ],
      ],
    ] as const) {
      const dir = mkdtempSync(join(tmpdir(), `flowlog-rollups-${stage}-`));
      workDirs.push(dir);
      templates[stage] = await packageStack(dir, stageArgs);
    }
  },
  3 * PACKAGE_TIMEOUT_MS + 20_000
);

afterAll(() => {
  for (const dir of workDirs) rmSync(dir, { recursive: true, force: true });
});

describe('serverless.yml (packaged)', () => {
  describe('the rollup table', () => {
    it('has the pk/sk keys, one sparse catalog index, TTL, PITR, SSE and on-demand billing', () => {
      // Prepare
      const template = templateOf('dev');
      // Act
      const table = resourceOf(template, 'RollupTable');
      // Assess
      expect(table.Type).toBe('AWS::DynamoDB::Table');
      expect(table.Properties).toMatchObject({
        BillingMode: 'PAY_PER_REQUEST',
        KeySchema: [
          { AttributeName: 'pk', KeyType: 'HASH' },
          { AttributeName: 'sk', KeyType: 'RANGE' },
        ],
        TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        SSESpecification: { SSEEnabled: true },
      });
      expect(table.Properties?.AttributeDefinitions).toEqual([
        { AttributeName: 'pk', AttributeType: 'S' },
        { AttributeName: 'sk', AttributeType: 'S' },
        { AttributeName: 'cs', AttributeType: 'S' },
      ]);
      // Only catalog items carry `cs`: no rollup write pays for the index
      // (test/unit/store checks that rollup items never hold it).
      expect(table.Properties?.GlobalSecondaryIndexes).toEqual([
        {
          IndexName: 'catalog',
          KeySchema: [
            { AttributeName: 'cs', KeyType: 'HASH' },
            { AttributeName: 'pk', KeyType: 'RANGE' },
          ],
          Projection: {
            ProjectionType: 'INCLUDE',
            NonKeyAttributes: ['fp', 'ls', 'del'],
          },
        },
      ]);
      expect(table.Properties).not.toHaveProperty('LocalSecondaryIndexes');
    });

    it('is deleted with a dev stack', () => {
      // Prepare
      const template = templateOf('dev');
      // Act
      const table = resourceOf(template, 'RollupTable');
      // Assess
      expect(table.DeletionPolicy).toBe('Delete');
      expect(table.Properties?.DeletionProtectionEnabled).toBe(false);
    });

    it('is retained and protected from deletion on prod', () => {
      // Prepare
      const template = templateOf('prod');
      // Act
      const table = resourceOf(template, 'RollupTable');
      // Assess
      expect(table.DeletionPolicy).toBe('Retain');
      expect(table.UpdateReplacePolicy).toBe('Retain');
      expect(table.Properties?.DeletionProtectionEnabled).toBe(true);
      expect(table.Properties?.TableName).toBe('flowlog-rollups-prod-rollups');
    });
  });

  describe('the ENI catalog', () => {
    it('refreshes every 15 minutes by default, on a schedule that targets eniCatalog', () => {
      // Prepare
      const template = templateOf('dev');
      // Act
      const rule = resourceOf(template, 'EniCatalogEventsRuleSchedule1');
      // Assess
      expect(rule.Type).toBe('AWS::Events::Rule');
      expect(rule.Properties).toMatchObject({
        ScheduleExpression: 'rate(15 minutes)',
        State: 'ENABLED',
      });
      expect(JSON.stringify(rule.Properties?.Targets)).toContain(
        'EniCatalogLambdaFunction'
      );
    });

    it('runs every function on nodejs24.x', () => {
      // Prepare
      const template = templateOf('dev');
      // Act
      const runtimes = propertiesOfType(template, 'AWS::Lambda::Function').map(
        (lambda) => lambda.Runtime
      );
      // Assess
      expect(runtimes.length).toBe(FUNCTIONS.length);
      expect(new Set(runtimes)).toEqual(new Set(['nodejs24.x']));
    });
  });

  describe('IAM', () => {
    it.each(FUNCTIONS)(
      'gives $name a role of its own that only Lambda assumes',
      ({ logicalId }) => {
        // Prepare
        const template = templateOf('dev');
        const roleId = `${logicalId}IamRoleLambdaExecution`;
        // Act
        const lambda = resourceOf(template, `${logicalId}LambdaFunction`);
        const role = resourceOf(template, roleId);
        // Assess
        expect(lambda.Properties?.Role).toEqual(getAtt(roleId, 'Arn'));
        expect(role.Type).toBe('AWS::IAM::Role');
        expect(role.Properties).toMatchObject({
          AssumeRolePolicyDocument: {
            Statement: [
              {
                Effect: 'Allow',
                Principal: { Service: ['lambda.amazonaws.com'] },
                Action: ['sts:AssumeRole'],
              },
            ],
          },
          ManagedPolicyArns: [],
        });
      }
    );

    it.each(FUNCTIONS)(
      'allows $name only its own logs and what it uses',
      ({ name, logicalId }) => {
        // Prepare
        const template = templateOf('dev');
        const role = resourceOf(template, `${logicalId}IamRoleLambdaExecution`);
        // Act
        const statements = roleStatementsOf(role);
        // Assess
        expect(statements.map((statement) => statement.Effect)).toEqual(
          statements.map(() => 'Allow')
        );
        expect(grantsOf(statements)).toEqual(
          [
            ...grants(LOG_ACTIONS, [logStreamsOf(name)]),
            ...(FUNCTION_GRANTS[name] ?? []),
          ].sort()
        );
      }
    );

    it.each(['dev', 'prod'] as const)(
      "allows no wildcard action, and * only for the catalog's Describe calls (and X-Ray's, with tracing=true), on %s",
      (stage) => {
        // Prepare
        const template = templateOf(stage);
        // Act
        const allows = allowStatementsOf(template);
        // Assess
        expect(allows.length).toBeGreaterThan(0);
        const actions = allows.flatMap((statement) => asList(statement.Action));
        expect(
          actions.filter(
            (action) => typeof action !== 'string' || action.includes('*')
          )
        ).toEqual([]);
        expect(
          allows.filter(
            (statement) =>
              statement.NotAction !== undefined ||
              statement.NotResource !== undefined
          )
        ).toEqual([]);
        // `*` only where AWS allows nothing else: the catalog's Describe
        // calls, and X-Ray's when tracing (prod is packaged with tracing=true).
        const starred = allows.filter((statement) =>
          asList(statement.Resource).includes('*')
        );
        const xray =
          stage === 'prod'
            ? ['xray:PutTelemetryRecords', 'xray:PutTraceSegments']
            : [];
        expect(
          starred.flatMap((statement) => asList(statement.Action)).sort()
        ).toEqual([...CATALOG_DESCRIBE_ACTIONS, ...xray].sort());
        expect(
          JSON.stringify(
            resourceOf(template, 'EniCatalogIamRoleLambdaExecution')
          )
        ).toContain('ec2:DescribeNetworkInterfaces');
      }
    );

    it("review finding: the only role no function uses is the framework's shared one", () => {
      // Prepare
      const template = templateOf('dev');
      const used = new Set(
        propertiesOfType(template, 'AWS::Lambda::Function').map((lambda) =>
          JSON.stringify(lambda.Role)
        )
      );
      // Act
      const unused = resourcesOfType(template, 'AWS::IAM::Role')
        .map(([id]) => id)
        .filter((id) => !used.has(JSON.stringify(getAtt(id, 'Arn'))));
      // Assess
      // serverless-iam-roles-per-function leaves the framework's shared
      // IamRoleLambdaExecution in place; no function assumes it (osls drops
      // it only when every function names a `role:`, which the plugin
      // refuses next to iamRoleStatements). Any other unused role is a leak.
      expect(unused).toEqual(['IamRoleLambdaExecution']);
    });
  });

  describe('failure handling', () => {
    it('keeps failed events for 14 days in the failed-events queue', () => {
      // Prepare
      const template = templateOf('dev');
      // Act
      const queue = resourceOf(template, 'FailedEventsQueue');
      // Assess
      expect(queue.Type).toBe('AWS::SQS::Queue');
      expect(queue.Properties?.MessageRetentionPeriod).toBe(14 * 86_400);
    });

    it.each(ASYNC_FUNCTIONS)(
      'retries $name twice, then sends the event to the failed-events queue',
      ({ logicalId }) => {
        // Prepare
        const template = templateOf('dev');
        const lambda = ref(`${logicalId}LambdaFunction`);
        // Act
        const configs = propertiesOfType(
          template,
          'AWS::Lambda::EventInvokeConfig'
        ).filter(
          (config) =>
            JSON.stringify(config.FunctionName) === JSON.stringify(lambda)
        );
        // Assess
        expect(configs).toEqual([
          expect.objectContaining({
            Qualifier: '$LATEST',
            MaximumRetryAttempts: 2,
            DestinationConfig: { OnFailure: { Destination: QUEUE_ARN } },
          }),
        ]);
      }
    );
  });

  describe('observability', () => {
    const overZero = {
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
    };

    it('alarms when the failed-events queue holds a message', () => {
      // Prepare
      const template = templateOf('dev');
      // Act
      const alarms = propertiesOfType(template, 'AWS::CloudWatch::Alarm');
      // Assess
      expect(alarms).toContainEqual(
        expect.objectContaining({
          ...overZero,
          Namespace: 'AWS/SQS',
          MetricName: 'ApproximateNumberOfMessagesVisible',
          Dimensions: [
            {
              Name: 'QueueName',
              Value: getAtt('FailedEventsQueue', 'QueueName'),
            },
          ],
        })
      );
    });

    it.each(
      FUNCTIONS.flatMap(({ name, logicalId }) =>
        ['Errors', 'Throttles'].map((metric) => ({ name, logicalId, metric }))
      )
    )('alarms on $metric of $name', ({ logicalId, metric }) => {
      // Prepare
      const template = templateOf('dev');
      // Act
      const alarms = propertiesOfType(template, 'AWS::CloudWatch::Alarm');
      // Assess
      expect(alarms).toContainEqual(
        expect.objectContaining({
          ...overZero,
          Namespace: 'AWS/Lambda',
          MetricName: metric,
          Dimensions: [
            { Name: 'FunctionName', Value: ref(`${logicalId}LambdaFunction`) },
          ],
        })
      );
    });

    it('alarms on SKIPDATA records with the dimensions the handlers emit', () => {
      // Prepare
      const template = templateOf('dev');
      // Act
      const alarms = propertiesOfType(template, 'AWS::CloudWatch::Alarm');
      // Assess
      // The handlers' metrics carry service and stage (from STAGE).
      expect(alarms).toContainEqual(
        expect.objectContaining({
          ...overZero,
          Namespace: METRICS_NAMESPACE,
          MetricName: 'SkipdataRecords',
          Dimensions: [
            { Name: 'service', Value: SERVICE_NAME },
            { Name: 'stage', Value: 'dev' },
          ],
        })
      );
      for (const lambda of propertiesOfType(
        template,
        'AWS::Lambda::Function'
      )) {
        expect(JSON.stringify(lambda)).toContain('"STAGE":"dev"');
      }
      expect(METRICS_NAMESPACE).toBe('FlowlogRollups');
    });

    it.each(FUNCTIONS)(
      'keeps the logs of $name for a limited time',
      ({ name }) => {
        // Prepare
        const template = templateOf('dev');
        // Act
        const logGroups = propertiesOfType(
          template,
          'AWS::Logs::LogGroup'
        ).filter(
          (group) =>
            group.LogGroupName === `/aws/lambda/flowlog-rollups-dev-${name}`
        );
        // Assess
        expect(logGroups).toEqual([
          expect.objectContaining({ RetentionInDays: expect.any(Number) }),
        ]);
        expect(logGroups[0]?.RetentionInDays).toBeGreaterThan(0);
      }
    );
  });

  describe('the HTTP API', () => {
    it('has the documented routes and a catch-all, all IAM-authorized', () => {
      // Prepare
      const template = templateOf('dev');
      // Act
      const routes = propertiesOfType(template, 'AWS::ApiGatewayV2::Route');
      // Assess
      expect(routes.map((route) => route.RouteKey).sort()).toEqual(
        [...DOCUMENTED_ROUTES, 'ANY /{proxy+}'].sort()
      );
      expect(routes.map((route) => route.AuthorizationType)).toEqual(
        routes.map(() => 'AWS_IAM')
      );
    });

    it('sends every route to queryApi', () => {
      // Prepare
      const template = templateOf('dev');
      const [integration, ...others] = resourcesOfType(
        template,
        'AWS::ApiGatewayV2::Integration'
      );
      // Act
      const routes = propertiesOfType(template, 'AWS::ApiGatewayV2::Route');
      // Assess
      expect(others).toEqual([]);
      expect(integration?.[1].Properties?.IntegrationUri).toEqual(
        getAtt('QueryApiLambdaFunction', 'Arn')
      );
      const target = {
        'Fn::Join': ['/', ['integrations', ref(integration?.[0] ?? '')]],
      };
      expect(routes.map((route) => route.Target)).toEqual(
        routes.map(() => target)
      );
    });
  });

  describe('event sources', () => {
    it('subscribes cloudwatchIngest to /vpc/flow-logs by default', () => {
      // Prepare
      const template = templateOf('dev');
      // Act
      const filters = propertiesOfType(
        template,
        'AWS::Logs::SubscriptionFilter'
      );
      // Assess
      expect(filters).toEqual([
        expect.objectContaining({
          LogGroupName: '/vpc/flow-logs',
          DestinationArn: getAtt('CloudwatchIngestLambdaFunction', 'Arn'),
        }),
      ]);
    });

    it('notifies s3Ingest of new .log.gz and .log.parquet objects under AWSLogs/', () => {
      // Prepare
      const template = templateOf('dev');
      const s3Ingest = JSON.stringify(getAtt('S3IngestLambdaFunction', 'Arn'));
      // Act
      const configs = propertiesOfType(template, 'AWS::S3::Bucket')
        .filter(
          (bucket) => bucket.BucketName === 'flowlog-rollups-dev-flowlogs'
        )
        .flatMap(
          (bucket) =>
            (
              bucket.NotificationConfiguration as
                | BucketNotifications
                | undefined
            )?.LambdaConfigurations ?? []
        );
      // Assess
      const forS3Ingest = configs.filter(
        (config) => JSON.stringify(config.Function) === s3Ingest
      );
      expect(forS3Ingest.map((config) => config.Event)).toEqual(
        forS3Ingest.map(() => 's3:ObjectCreated:*')
      );
      const filters = forS3Ingest.map((config) =>
        (config.Filter?.S3Key?.Rules ?? [])
          .map((rule) => `${rule.Name}=${rule.Value}`)
          .join(' ')
      );
      expect(filters.sort()).toEqual([
        'prefix=AWSLogs/ suffix=.log.gz',
        'prefix=AWSLogs/ suffix=.log.parquet',
      ]);
    });
  });

  describe('parameters', () => {
    it('s3Delivery=sqs: the bucket notifies a queue with a dead-letter queue, read in batches with partial failures', () => {
      // Prepare
      const template = templateOf('sqsOpen');
      // Act
      const mappings = propertiesOfType(
        template,
        'AWS::Lambda::EventSourceMapping'
      );
      const queue = resourceOf(template, 'S3EventsQueue');
      const bucket = resourceOf(template, 'FlowLogBucket');
      // Assess
      expect(mappings).toEqual([
        expect.objectContaining({
          EventSourceArn: getAtt('S3EventsQueue', 'Arn'),
          FunctionResponseTypes: ['ReportBatchItemFailures'],
        }),
      ]);
      expect(queue.Properties?.RedrivePolicy).toEqual({
        deadLetterTargetArn: getAtt('S3EventsDeadLetterQueue', 'Arn'),
        maxReceiveCount: 5,
      });
      expect(JSON.stringify(bucket.Properties)).toContain(
        JSON.stringify(getAtt('S3EventsQueue', 'Arn'))
      );
      expect(
        propertiesOfType(template, 'AWS::Lambda::Permission').some(
          (permission) =>
            JSON.stringify(permission).includes('s3.amazonaws.com')
        )
      ).toBe(false);
    });

    it.each([
      {
        setting: 'off (the default)',
        stage: 'dev',
        tracingConfig: undefined,
        environment:
          '"POWERTOOLS_TRACE_ENABLED":"false","AWS_XRAY_MANUAL_MODE":"true","AWS_XRAY_CONTEXT_MISSING":"IGNORE_ERROR"',
        mayTrace: false,
      },
      {
        setting: 'true (packaged with prod)',
        stage: 'prod',
        tracingConfig: { Mode: 'Active' },
        environment:
          '"POWERTOOLS_TRACE_ENABLED":"true","AWS_XRAY_MANUAL_MODE":"","AWS_XRAY_CONTEXT_MISSING":"LOG_ERROR"',
        mayTrace: true,
      },
    ] as const)(
      "tracing $setting: active tracing, the Tracer, X-Ray's mode and the leave to send segments follow it",
      ({ stage, tracingConfig, environment, mayTrace }) => {
        // Prepare
        const template = templateOf(stage);
        // Act
        const lambdas = propertiesOfType(template, 'AWS::Lambda::Function');
        // Assess
        expect(lambdas.length).toBe(FUNCTIONS.length);
        for (const lambda of lambdas) {
          expect(lambda.TracingConfig).toEqual(tracingConfig);
          expect(JSON.stringify(lambda.Environment)).toContain(environment);
        }
        expect(
          allowStatementsOf(template).some((statement) =>
            asList(statement.Action).includes('xray:PutTraceSegments')
          )
        ).toBe(mayTrace);
      }
    );

    it.each([
      ['off (the default)', 'dev'],
      ['true', 'prod'],
    ] as const)(
      'with tracing %s, a cold start logs nothing from the X-Ray SDK (in manual mode it logged an error with a stack)',
      async (_setting, stage) => {
        // Prepare: each function's environment from the template, in a
        // process that looks like Lambda to the SDK (LAMBDA_TASK_ROOT).
        const lambdas = propertiesOfType(
          templateOf(stage),
          'AWS::Lambda::Function'
        );
        const telemetry = join(ROOT, 'shared', 'observe', 'telemetry.ts');
        const script = `const { createTelemetry } = await import(${JSON.stringify(telemetry)}); createTelemetry('Objects', 'dev');`;
        for (const lambda of lambdas) {
          const variables = (
            lambda.Environment as { Variables: Record<string, string> }
          ).Variables;
          // Act
          const { stdout, stderr } = await execFileAsync(
            process.execPath,
            ['--import', 'tsx', '--input-type=module', '-e', script],
            {
              cwd: ROOT,
              env: {
                PATH: process.env.PATH,
                LAMBDA_TASK_ROOT: ROOT,
                ...variables,
              },
            }
          );
          // Assess
          expect(variables.AWS_XRAY_MANUAL_MODE).toBe(
            stage === 'dev' ? 'true' : ''
          );
          expect(`${stdout}${stderr}`).toBe('');
        }
      }
    );

    it('s3Delivery=direct (the default) leaves the queue resources to their condition', () => {
      // Prepare
      const template = templateOf('dev');
      // Act
      const queue = resourceOf(template, 'S3EventsQueue');
      // Assess
      expect(queue.Condition).toBe('IsSqsDelivery');
      expect(
        propertiesOfType(template, 'AWS::Lambda::EventSourceMapping')
      ).toEqual([]);
    });

    it('flowLogFormat=auto: cloudwatchIngest may call ec2:DescribeFlowLogs, beside the catalog the only * resource', () => {
      // Prepare
      const template = templateOf('sqsOpen');
      // Act
      const starred = allowStatementsOf(template).filter((statement) =>
        asList(statement.Resource).includes('*')
      );
      // Assess
      expect(
        starred.flatMap((statement) => asList(statement.Action)).sort()
      ).toEqual(['ec2:DescribeFlowLogs', ...CATALOG_DESCRIBE_ACTIONS].sort());
      const role = resourceOf(
        template,
        'CloudwatchIngestIamRoleLambdaExecution'
      );
      expect(JSON.stringify(role)).toContain('ec2:DescribeFlowLogs');
    });

    it('apiAuthorization=none: no route asks for IAM', () => {
      // Prepare
      const template = templateOf('sqsOpen');
      // Act
      const routes = propertiesOfType(template, 'AWS::ApiGatewayV2::Route');
      // Assess
      expect(routes.length).toBe(6);
      for (const route of routes) {
        expect(route.AuthorizationType ?? 'NONE').toBe('NONE');
      }
    });
  });

  describe('the flow-log log group', () => {
    it('is created (14 days) before the subscription unless existingLogGroup=true', () => {
      // Prepare
      const template = templateOf('dev');
      // Act
      const group = resourceOf(template, 'FlowLogGroup');
      const filter = resourceOf(
        template,
        'CloudwatchIngestLogsSubscriptionFilterCloudWatchLog1'
      ) as CfnResource & { DependsOn?: string[] };
      // Assess
      expect(group.Condition).toBe('CreatesLogGroup');
      expect(group.Properties).toEqual({
        LogGroupName: '/vpc/flow-logs',
        RetentionInDays: 14,
      });
      expect(filter.DependsOn).toContain('FlowLogGroup');
    });
  });
});
