import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BatchWriteItemCommand } from '@aws-sdk/client-dynamodb';
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { startStreamPoller } from '../../local/streams.js';
import type { Logger } from '../../local/support.js';
import { useKeyTable } from '../support/key-table.js';

const stack = inject('localStack');
const silent: Logger = { info: () => undefined, error: () => undefined };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('a held stream consumer', () => {
  const table = useKeyTable('hold-test', { stream: true });
  const streams = new DynamoDBStreamsClient({ region: stack.region, endpoint: stack.endpoints.dynamodb, credentials: table.credentials });
  afterAll(() => streams.destroy());

  /** A poller of the table's stream whose consumer keeps the sort keys it is handed, in order, taking `perBatchMs` over each batch. */
  function keepingPoller(id: string, batchSize: number, perBatchMs = 0) {
    const delivered: string[] = [];
    const dataDir = mkdtempSync(join(tmpdir(), `motcua-${id}-`));
    const poller = startStreamPoller({
      consumer: { id, batchSize, maxRetries: 1 },
      handler: async () => async (event) => {
        for (const record of event.Records) delivered.push(record.dynamodb?.NewImage?.sk?.S ?? '');
        if (perBatchMs) await sleep(perBatchMs);
      },
      streams,
      streamArn: table.streamArn,
      dataDir,
      region: stack.region,
      logger: silent,
      pollIntervalMs: 20,
    });
    const stop = async () => {
      await poller.stop();
      rmSync(dataDir, { recursive: true, force: true });
    };
    return { delivered, poller, stop };
  }

  it('reads nothing while held and everything, in order, once released', async () => {
    // Prepare: a consumer that has caught up, then held
    const { delivered, poller, stop } = keepingPoller('held', 10);
    try {
      await poller.settled();
      poller.hold();
      const pk = `DOSSIER#HOLD-${randomUUID()}`;
      // history event items: what the consumers read by default (isOutboxRecord)
      const keys = Array.from({ length: 5 }, (_, i) => `EVENT#${String(i + 1).padStart(6, '0')}`);

      // Act: writes while held, for many poll intervals
      await table.client.send(new BatchWriteItemCommand({ RequestItems: { [table.name]: keys.map((sk) => ({ PutRequest: { Item: { pk: { S: pk }, sk: { S: sk } } } })) } }));
      await sleep(400);
      const whileHeld = [...delivered];
      poller.release();
      await poller.settled();

      // Assess
      expect(whileHeld).toEqual([]);
      expect(delivered).toEqual(keys);
    } finally {
      await stop();
    }
  });

  it('stops between pages of a busy stream: once hold() resolves nothing more is delivered while writes go on', async () => {
    // Prepare: a slow consumer, one record per batch, and a writer that never lets the stream go quiet
    const { delivered, poller, stop } = keepingPoller('held-busy', 1, 15);
    const pk = `DOSSIER#HOLD-${randomUUID()}`;
    const written: string[] = [];
    let writing = true;
    const writer = (async () => {
      for (let i = 1; writing; i++) {
        const sk = `EVENT#${String(i).padStart(6, '0')}`;
        await table.client.send(new BatchWriteItemCommand({ RequestItems: { [table.name]: [{ PutRequest: { Item: { pk: { S: pk }, sk: { S: sk } } } }] } }));
        written.push(sk);
        await sleep(10);
      }
    })();
    try {
      while (delivered.filter((sk) => written.includes(sk)).length < 3) await sleep(10);

      // Act
      await poller.hold();
      const atHold = delivered.length;
      await sleep(400);
      const later = delivered.length;
      writing = false;
      await writer;
      poller.release();
      await poller.settled();

      // Assess
      expect(later).toBe(atHold);
      expect(delivered.filter((sk) => sk.startsWith('EVENT#'))).toEqual(expect.arrayContaining(written));
      expect(delivered.slice(-written.length)).toEqual(written);
    } finally {
      writing = false;
      await writer;
      await stop();
    }
  });
});
