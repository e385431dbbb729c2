import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    reporters: ['default', 'json'],
    outputFile: { json: '.test-results/vitest.json' },
    coverage: {
      provider: 'v8',
      include: ['shared/**/*.ts', 'functions/**/*.ts'],
      // AssemblyScript runs as WebAssembly; its behaviour is covered through
      // the agreement tests with the typed path.
      exclude: ['shared/aggregate/wasm/**', 'shared/query/dashboardAssets.ts'],
      reporter: ['text-summary', 'json-summary'],
    },
  },
});
