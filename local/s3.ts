import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import S3rver from 's3rver';
import { loopback } from './support.js';

export interface LocalS3 {
  readonly port: number;
  readonly endpoint: string;
  /** every S3 notification event s3rver emits (object created, copied, deleted), in write order */
  onEvent(listener: (event: { Records: unknown[] }) => void): void;
  stop(): Promise<void>;
}

/** s3rver keeps buckets and objects as files under `<dataDir>/s3`, so they survive a restart as they are. */
export async function startLocalS3(options: { port: number; dataDir: string }): Promise<LocalS3> {
  const directory = join(options.dataDir, 's3');
  mkdirSync(directory, { recursive: true });
  // vhostBuckets off: every local client uses path-style URLs, and vhost parsing would misread 127.0.0.1.
  const server = new S3rver({ address: loopback, port: options.port, directory, silent: true, vhostBuckets: false });
  const address = await server.run();
  const endpoint = `http://${loopback}:${address.port}`;
  let stopping: Promise<void> | undefined;
  return {
    port: address.port,
    endpoint,
    onEvent(listener) {
      server.on('event', listener);
    },
    stop() {
      stopping ??= server.close().catch(() => undefined);
      return stopping;
    },
  };
}
