// Just the parts of the embedded stand-ins' APIs that the local stack uses.
declare module 'dynalite' {
  import type { Server } from 'node:http';

  interface DynaliteOptions {
    path?: string;
    createTableMs?: number;
    deleteTableMs?: number;
    updateTableMs?: number;
  }
  function dynalite(options?: DynaliteOptions): Server;
  export default dynalite;
}

declare module 's3rver' {
  interface S3rverOptions {
    address?: string;
    port?: number;
    directory: string;
    silent?: boolean;
    configureBuckets?: { name: string }[];
  }
  class S3rver {
    constructor(options: S3rverOptions);
    run(): Promise<{ address: string; port: number }>;
    close(): Promise<void>;
  }
  export default S3rver;
}

declare module 's3rver/lib/models/account.js' {
  interface Account {
    readonly id: number;
  }
  const AWSAccount: {
    registry: Map<string, Account>;
    DUMMY_ACCOUNT: Account;
  };
  export default AWSAccount;
}
