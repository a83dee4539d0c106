import { createServer, type RequestListener, type Server } from 'node:http';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { S3Client } from '@aws-sdk/client-s3';
import { SQSClient } from '@aws-sdk/client-sqs';
import { consumers as declaredConsumers, environment, paymentEnvironment, routes as declaredRoutes, type ConsumerDeclaration } from '../functions/declaration.js';
import { loadProvinceFile, provinceFilePath } from '../provinces/load.js';
import { withCatalog } from '../functions/adapters/catalog-store.js';
import { defaultCatalogDir } from '../provinces/catalog/format.js';
import type { Province } from '../provinces/schema.js';
import { createLocalClock, type LocalClock } from './clock.js';
import { checkJava, startLocalDynamoDb, type LocalDynamoDb } from './dynamodb.js';
import { createApiListener } from './http.js';
import { createLocalIdentity } from './identity.js';
import { createWebRoutes } from './web.js';
import { portalCsp } from '../lib/portal-csp.js';
import { loadHandler } from './lambda.js';
import { ensureBucket, ensureQueues, ensureTable, resourceNames } from './resources.js';
import { startLocalS3, type LocalS3 } from './s3.js';
import { startSimulatedPortal, type SimulatedPortal } from './national-portal.js';
import { startBucketEventDelivery } from './bucket-events.js';
import { startLocalSqs, type LocalSqs } from './sqs.js';
import { createPayGovSimulator } from './paygov.js';
import { recordFilter, startScheduler, startStreamPoller, type StreamHandler, type StreamPoller } from './streams.js';
import { alive, assertPortFree, consoleLogger, loopback } from './support.js';
import { ensureStackSecret } from './stack-secret.js';
import { startLocalSes, startSmsOutbox } from './notifications.js';

export const localRegion = 'ap-southeast-1';
/**
 * DynamoDB Local (shared DB) and fauxqs take any credentials, s3rver only its own dummy pair; fixed values
 * also keep real credentials from ever being sent to an emulator.
 */
export const localCredentials = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } as const;

export interface LocalStackOptions {
  /** default: env MOTCUA_PROVINCE, else `lang-son` */
  readonly provinceId?: string;
  /** default: env MOTCUA_PROVINCE_FILE, else provinces/<provinceId>.json */
  readonly provinceFile?: string;
  /** default: env MOTCUA_DATA_DIR, else `.motcua` (relative to the working directory) */
  readonly dataDir?: string;
  /** 0 picks a free port; defaults come from MOTCUA_API_PORT (3000), MOTCUA_DYNAMODB_PORT (8000), MOTCUA_S3_PORT (4568), MOTCUA_SQS_PORT (9324) */
  readonly ports?: { readonly api?: number; readonly dynamodb?: number; readonly s3?: number; readonly sqs?: number; readonly ses?: number; readonly sms?: number; readonly dvcqg?: number };
  /** no request log lines (errors are still shown) */
  readonly quiet?: boolean;
  /**
   * Set process.env and the clock source for in-process handlers (default true). A second stack in the
   * same process (a test) passes false so that it does not take over the first one's environment.
   */
  readonly processWide?: boolean;
  /** feed the declared table-stream and schedule consumers (default true) */
  readonly consumers?: boolean;
  /** an imported catalog (npm run catalog -- import); default: env MOTCUA_CATALOG_DIR, else provinces/catalogs/<provinceId> if present */
  readonly catalogDir?: string;
}

export interface LocalStack {
  readonly apiUrl: string;
  readonly endpoints: { readonly dynamodb: string; readonly s3: string; readonly sqs: string };
  readonly region: string;
  readonly province: Province;
  readonly dataDir: string;
  readonly tableName: string;
  readonly bucketName: string;
  readonly queueUrlBase: string;
  /** agency id → its queue URL */
  readonly agencyQueueUrls: Readonly<Record<string, string>>;
  readonly eventsDlqUrl: string;
  /** the SES v2 stand-in (its page lists every email), the SMS outbox, and where failed notifications wait */
  readonly notifications: { readonly sesUrl: string; readonly smsOutboxUrl: string; readonly deadLetterUrl: string };
  /** the variables handlers read (the declaration's `environment` names plus the SDK's endpoint and credential variables) */
  readonly env: Readonly<Record<string, string>>;
  readonly identity: { readonly issuer: string; readonly audience: string };
  readonly clock: LocalClock;
  /** the simulated national Payment Platform (PayGov): its page lists the transactions */
  readonly paygovUrl: string;
  /** the simulated national portal (DVCQG) the sync consumer talks to; MOTCUA_DVCQG_PORT (default 3100) */
  readonly nationalPortal: SimulatedPortal;
  /**
   * Holds and releases every table-stream consumer at once (no-ops without consumers): records wait in
   * the stream meanwhile, as behind disabled Lambda triggers, and are delivered in order once released.
   * `hold` resolves once every consumer has delivered the page of records it had in hand (streams.ts).
   */
  readonly streamConsumers: { hold(): Promise<void>; release(): void };
  stop(): Promise<void>;
}

function portFrom(explicit: number | undefined, variable: string, fallback: number): number {
  if (explicit !== undefined) return explicit;
  const raw = process.env[variable];
  if (raw === undefined || raw === '') return fallback;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`${variable} must be a port number, got "${raw}"`);
  return port;
}

/** Two runtimes on one data folder would corrupt DynamoDB Local's file and overwrite each other's snapshots. */
function takeLock(dataDir: string): () => void {
  const file = join(dataDir, 'runtime.lock');
  let holder = NaN;
  try {
    holder = Number(readFileSync(file, 'utf8').trim());
  } catch {
    // no lock
  }
  if (Number.isInteger(holder) && holder !== process.pid && alive(holder)) {
    throw new Error(`another local runtime (pid ${holder}) is using ${dataDir}; stop it or set MOTCUA_DATA_DIR to another folder`);
  }
  writeFileSync(file, `${process.pid}\n`);
  return () => rmSync(file, { force: true });
}

function listen(server: Server, port: number): Promise<number> {
  return new Promise((resolvePort, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) =>
      reject(err.code === 'EADDRINUSE' ? new Error(`port ${port} (API) is in use: set MOTCUA_API_PORT to another port`) : err),
    );
    server.listen(port, loopback, () => {
      const address = server.address();
      resolvePort(typeof address === 'object' && address ? address.port : port);
    });
  });
}

/** An explicit directory must exist; the default one is used only when an import has written it. */
function resolveCatalogDir(explicit: string | undefined, provinceId: string): string | undefined {
  if (explicit) {
    const dir = resolve(explicit);
    if (!existsSync(dir)) throw new Error(`catalog directory ${dir} does not exist (MOTCUA_CATALOG_DIR)`);
    return dir;
  }
  const fallback = defaultCatalogDir(provinceId);
  return existsSync(fallback) ? fallback : undefined;
}

export async function startLocalStack(options: LocalStackOptions = {}): Promise<LocalStack> {
  const provinceId = options.provinceId ?? process.env.MOTCUA_PROVINCE ?? 'lang-son';
  const dataDir = resolve(options.dataDir ?? process.env.MOTCUA_DATA_DIR ?? '.motcua');
  const processWide = options.processWide ?? true;
  const logger = consoleLogger(options.quiet ?? false);
  const ports = {
    api: portFrom(options.ports?.api, 'MOTCUA_API_PORT', 3000),
    dynamodb: portFrom(options.ports?.dynamodb, 'MOTCUA_DYNAMODB_PORT', 8000),
    s3: portFrom(options.ports?.s3, 'MOTCUA_S3_PORT', 4568),
    sqs: portFrom(options.ports?.sqs, 'MOTCUA_SQS_PORT', 9324),
    ses: portFrom(options.ports?.ses, 'MOTCUA_SES_PORT', 8005),
    sms: portFrom(options.ports?.sms, 'MOTCUA_SMS_PORT', 8006),
    // a caller that asks for free ports (tests, the bench) gets a free one here too
    dvcqg: options.ports?.dvcqg ?? (options.ports?.api === 0 ? 0 : portFrom(undefined, 'MOTCUA_DVCQG_PORT', 3100)),
  };

  checkJava();
  await assertPortFree(ports.api, 'the API', 'MOTCUA_API_PORT');
  await assertPortFree(ports.s3, 'S3 (s3rver)', 'MOTCUA_S3_PORT');
  await assertPortFree(ports.sqs, 'SQS (fauxqs)', 'MOTCUA_SQS_PORT');
  const explicitFile = options.provinceFile ?? (process.env.MOTCUA_PROVINCE_FILE || undefined);
  const provinceFile = explicitFile ? resolve(explicitFile) : provinceFilePath(provinceId);
  // A broken province file stops the start with the loader's message, before anything is spawned.
  const catalogDir = resolveCatalogDir(options.catalogDir ?? process.env.MOTCUA_CATALOG_DIR, provinceId);
  const province = withCatalog(loadProvinceFile(provinceFile), catalogDir);
  mkdirSync(dataDir, { recursive: true });
  const releaseLock = takeLock(dataDir);

  const stops: (() => Promise<void> | void)[] = [releaseLock];
  const stopAll = async (): Promise<void> => {
    for (const stop of stops.splice(0).reverse()) {
      try {
        await stop();
      } catch (err) {
        logger.error('local runtime: a part did not stop cleanly', err);
      }
    }
  };

  try {
    const started = await Promise.allSettled([
      startLocalDynamoDb({ port: ports.dynamodb, dataDir, logger }),
      startLocalS3({ port: ports.s3, dataDir }),
      startLocalSqs({ port: ports.sqs, region: localRegion, dataDir, logger }),
      startLocalSes(ports.ses),
    ]);
    for (const result of started) if (result.status === 'fulfilled') stops.push(() => result.value.stop());
    const failed = started.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
    const [dynamodb, s3, sqs, ses] = started.map((r) => (r as PromiseFulfilledResult<unknown>).value) as [LocalDynamoDb, LocalS3, LocalSqs, Awaited<ReturnType<typeof startLocalSes>>];
    const names = resourceNames(province.id);

    // Subscribed as soon as S3 listens, so that no upload goes unrecorded (a client may hold a URL from
    // before a restart); delivered once the handlers' environment is in place.
    let openDelivery: () => void = () => undefined;
    const deliverFrom = new Promise<void>((resolveDelivery) => {
      openDelivery = resolveDelivery;
    });
    if (options.consumers ?? true) {
      const bucketEvents = startBucketEventDelivery({
        consumers: declaredConsumers,
        handler: (consumer) => loadHandler(consumer.entry),
        subscribe: (listener) => s3.onEvent(listener),
        bucket: names.bucket,
        region: localRegion,
        provinceId: province.id,
        logger,
        dataDir,
        deliverFrom,
      });
      stops.push(() => {
        openDelivery();
        return bucketEvents.stop();
      });
    }

    // The port is taken at once (the API URL is part of the token issuer and the handlers' environment),
    // but until everything behind it is ready a request gets 503 with Retry-After instead of waiting forever.
    const server = createServer();
    server.keepAliveTimeout = 5000;
    let serve: RequestListener | undefined;
    server.on('request', (req, res) => {
      if (serve) {
        serve(req, res);
        return;
      }
      req.resume();
      const body = JSON.stringify({ message: 'Service Unavailable' });
      res.writeHead(503, { 'content-type': 'application/json', 'retry-after': '1', 'content-length': String(Buffer.byteLength(body)) });
      res.end(body);
    });
    const apiPort = await listen(server, ports.api);
    stops.push(
      () =>
        new Promise<void>((done) => {
          server.close(() => done());
          server.closeAllConnections();
        }),
    );
    const apiUrl = `http://${loopback}:${apiPort}`;

    // the clock is created below; the simulator asks it for the time only when a request comes
    let clockRef: LocalClock | undefined;
    const paygov = createPayGovSimulator({ dataDir, apiUrl, logger, now: () => clockRef?.now() ?? new Date() });
    stops.push(() => paygov.settled());
    const nationalPortal = await startSimulatedPortal({ port: ports.dvcqg, provinceCode: province.code, inboundUrl: () => `${apiUrl}/national/dossiers` });
    stops.push(() => nationalPortal.stop());
    // the credentials live in the data folder, as they would in Secrets Manager in the cloud
    const nationalConfigFile = join(dataDir, 'dvcqg.json');
    writeFileSync(nationalConfigFile, `${JSON.stringify({ url: nationalPortal.url, ...nationalPortal.credentials, timeoutMs: 1500 }, null, 2)}\n`, { mode: 0o600 });
    const env: Record<string, string> = {
      AWS_ENDPOINT_URL_DYNAMODB: dynamodb.endpoint,
      AWS_ENDPOINT_URL_DYNAMODB_STREAMS: dynamodb.endpoint,
      AWS_ENDPOINT_URL_S3: s3.endpoint,
      AWS_ENDPOINT_URL_SQS: sqs.endpoint,
      AWS_REGION: localRegion,
      AWS_DEFAULT_REGION: localRegion,
      AWS_ACCESS_KEY_ID: localCredentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: localCredentials.secretAccessKey,
      [environment.tableName]: names.table,
      [environment.bucketName]: names.bucket,
      [environment.provinceId]: province.id,
      [environment.provinceFile]: provinceFile,
      [environment.queueUrlBase]: sqs.queueUrlBase,
      [environment.publicBaseUrl]: apiUrl,
      [environment.stackSecretFile]: ensureStackSecret(dataDir),
      // No CloudWatch here, yet the metrics print as the EMF lines Lambda would hand it (declaration
      // businessMetrics, calendarMetric); POWERTOOLS_METRICS_DISABLED=true keeps them out of the output.
      POWERTOOLS_METRICS_DISABLED: process.env.POWERTOOLS_METRICS_DISABLED ?? 'false',
      // No X-Ray daemon here. Powertools Tracer already stays off outside Lambda; this keeps it off in a
      // shell that happens to carry Lambda's variables, so no handler sends a datagram
      POWERTOOLS_TRACE_ENABLED: 'false',
      AWS_ENDPOINT_URL_SESV2: ses.endpoint,
      [environment.notifyFromEmail]: `no-reply@${province.id}.motcua.local`,
      [environment.smsProvider]: 'http',
      [paymentEnvironment.secretFile]: paygov.secretFile,
      [environment.catalogDir]: catalogDir ?? '',
      [environment.nationalSecretId]: '',
      [environment.nationalConfigFile]: nationalConfigFile,
      // a local outage is short: retry sooner than in the cloud
      DVCQG_ATTEMPTS: '3',
      DVCQG_BACKOFF_MS: '100',
    };
    if (processWide) {
      delete process.env.AWS_SESSION_TOKEN;
      delete process.env.AWS_PROFILE;
      Object.assign(process.env, env);
    }

    const common = { region: localRegion, credentials: localCredentials };
    const dynamoClient = new DynamoDBClient({ ...common, endpoint: dynamodb.endpoint });
    const streamsClient = new DynamoDBStreamsClient({ ...common, endpoint: dynamodb.endpoint });
    const s3Client = new S3Client({
      ...common,
      endpoint: s3.endpoint,
      forcePathStyle: true,
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    });
    const sqsClient = new SQSClient({ ...common, endpoint: sqs.endpoint });
    stops.push(() => {
      for (const client of [dynamoClient, streamsClient, s3Client, sqsClient]) client.destroy();
    });

    const [{ streamArn }, , queues] = await Promise.all([
      ensureTable(dynamoClient, names.table),
      ensureBucket(s3Client, names.bucket, province.portalOrigins),
      ensureQueues(sqsClient, province),
    ]);

    const clock = createLocalClock({ dataDir, install: processWide });
    const smsOutbox = await startSmsOutbox({ port: ports.sms, dataDir, now: () => clock.now() });
    stops.push(() => smsOutbox.stop());
    env[environment.smsHttpUrl] = smsOutbox.sendUrl;
    env[environment.notifyDeadLetterUrl] = queues.notifyDlqUrl;
    if (processWide) Object.assign(process.env, env);
    clockRef = clock;
    const identity = await createLocalIdentity({ dataDir, apiUrl });
    const web = createWebRoutes({ apiUrl, province, identity });
    const api = createApiListener({
      routes: declaredRoutes,
      province,
      identity,
      clock,
      logger,
      region: localRegion,
      web,
      localExtras: (method, url, body, type) => paygov.handle(method, url, body, type),
      // presigned URLs point at the S3 stand-in; the sign-in is on this origin
      contentSecurityPolicy: portalCsp([new URL(s3.endpoint).origin]),
    });

    let pollers: StreamPoller[] = [];
    if (options.consumers ?? true) {
      pollers = declaredConsumers
        .filter((c): c is ConsumerDeclaration & { source: { kind: 'table-stream' } } => c.source.kind === 'table-stream')
        .map((consumer) =>
          startStreamPoller({
            consumer: { id: consumer.id, batchSize: consumer.source.batchSize, batchWindowSeconds: consumer.source.batchWindowSeconds, maxRetries: consumer.source.maxRetries },
            handler: () => loadHandler(consumer.entry) as Promise<StreamHandler>,
            streams: streamsClient,
            streamArn,
            dataDir,
            region: localRegion,
            logger,
            deadLetter: { sqs: sqsClient, queueUrl: queues.eventsDlqUrl },
            functionName: `motcua-${province.id}-${consumer.id}`,
            filter: recordFilter(consumer.source.records),
            // What a consumer sent (agency messages, dead letters) is on disk before its records count as done.
            beforeCheckpoint: () => sqs.snapshot(),
          }),
        );
      const scheduler = startScheduler({
        consumers: declaredConsumers,
        handler: (consumer) => loadHandler(consumer.entry),
        clock,
        region: localRegion,
        logger,
        provinceId: province.id,
      });
      // Pollers stop before the emulators they read from.
      stops.push(async () => {
        scheduler.stop();
        await Promise.all(pollers.map((p) => p.stop()));
      });
    }

    openDelivery();
    serve = api;

    let stopping: Promise<void> | undefined;
    return {
      apiUrl,
      endpoints: { dynamodb: dynamodb.endpoint, s3: s3.endpoint, sqs: sqs.endpoint },
      region: localRegion,
      province,
      dataDir,
      tableName: names.table,
      bucketName: names.bucket,
      queueUrlBase: sqs.queueUrlBase,
      agencyQueueUrls: queues.agencyQueueUrls,
      eventsDlqUrl: queues.eventsDlqUrl,
      notifications: { sesUrl: ses.endpoint, smsOutboxUrl: smsOutbox.url, deadLetterUrl: queues.notifyDlqUrl },
      env,
      identity: { issuer: identity.issuer, audience: identity.audience },
      clock,
      paygovUrl: `${apiUrl}/local/paygov`,
      nationalPortal,
      streamConsumers: {
        hold: async () => void (await Promise.all(pollers.map((p) => p.hold()))),
        release: () => pollers.forEach((p) => p.release()),
      },
      stop() {
        stopping ??= stopAll();
        return stopping;
      },
    };
  } catch (err) {
    await stopAll();
    throw err;
  }
}
