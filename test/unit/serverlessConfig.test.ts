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

  it('runs on the Node.js 24 Lambda runtime', () => {
    // Act
    const { provider } = parse(text) as ServerlessConfig;
    // Assess
    expect(provider.runtime).toBe('nodejs24.x');
  });
});
