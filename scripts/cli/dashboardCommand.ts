import { UsageError } from './usageError.js';

/** `flowlogs dashboard`: the signing proxy, until interrupted. */
async function dashboardCommand(
  values: Record<string, string | undefined>
): Promise<void> {
  if (values.url === undefined) throw new UsageError('dashboard needs --url');
  const port = Number(values.port ?? '3001');
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    throw new UsageError(`--port must be a TCP port, got "${values.port}"`);
  }
  const { startSigningProxy } = await import('../signingProxy.js');
  const proxy = await startSigningProxy({
    url: values.url,
    region: values.region,
    profile: values.profile,
    port,
  }).catch((error: unknown) => {
    throw error instanceof TypeError ? new UsageError(error.message) : error;
  });
  // Ctrl-C closes the proxy: listened for before the ready line is out.
  const stopped = new Promise<void>((resolve) => {
    process.once('SIGINT', () => proxy.server.close(() => resolve()));
  });
  process.stdout.write(
    `dashboard of ${values.url} on http://127.0.0.1:${proxy.port}/ (requests signed for ${proxy.region}; Ctrl-C stops)\n`
  );
  await stopped;
}

export { dashboardCommand };
