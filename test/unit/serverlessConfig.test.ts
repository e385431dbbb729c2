import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const root = new URL('../../', import.meta.url);
const text = readFileSync(new URL('serverless.yml', root), 'utf8');

interface ServerlessConfig {
  service: string;
  provider: { runtime: string; environment?: Record<string, string> };
}

describe('serverless.yml', () => {
  it('parses as plain YAML without ! tags', () => {
    // Act
    const config = parse(text) as ServerlessConfig;
    // Assess
    expect(text).not.toMatch(/:\s+![A-Za-z]/);
    expect(config.service).toBe('flowlog-rollups');
  });

  it('runs on a Node.js Lambda runtime of version 22 or later', () => {
    // Act
    const { provider } = parse(text) as ServerlessConfig;
    // Assess
    expect(provider.runtime).toMatch(/^nodejs(2[2-9]|[3-9]\d)\.x$/);
  });
});
