import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { businessMetrics, routeById } from '../../functions/declaration.js';
import { loadProvince } from '../../provinces/load.js';
import { createLocalClock } from '../../local/clock.js';
import { createApiListener } from '../../local/http.js';
import { createLocalIdentity, type LocalIdentity } from '../../local/identity.js';
import type { Logger } from '../../local/support.js';
import { apiAt } from '../support/api.js';
import { captureLines } from '../support/output.js';

const stack = inject('localStack');
const silent: Logger = { info: () => undefined, error: () => undefined };

describe('a submission through the local runtime', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'motcua-metrics-'));
  let server: Server;
  let identity: LocalIdentity;
  let call: ReturnType<typeof apiAt>;

  beforeAll(async () => {
    server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    const base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    identity = await createLocalIdentity({ dataDir, apiUrl: base });
    const province = loadProvince(stack.provinceId);
    // the real route and handler, run in this process so that its standard output can be read
    server.on('request', createApiListener({ routes: [routeById('CreateDossier'), routeById('RegisterDeskDossier')], province, identity, clock: createLocalClock({ dataDir, install: false }), logger: silent, region: stack.region }));
    call = apiAt(base);
    // the run's stack silences metrics (test/support/global-setup.ts); the local runtime's default prints them
    process.env.POWERTOOLS_METRICS_DISABLED = 'false';
  });
  afterAll(async () => {
    process.env.POWERTOOLS_METRICS_DISABLED = 'true';
    await new Promise((resolve) => server.close(resolve));
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('prints one EMF line for a filed dossier, counted under the namespace, service and channel of the declaration, none for a draft', async () => {
    // Prepare: keep the EMF lines written to standard output, let the rest through
    const { lines, restore } = captureLines(process.stdout, (line) => line.startsWith('{"_aws"'));
    const citizen = await identity.issue({ role: 'citizen', subject: 'citizen-metrics' });
    const official = await identity.issue({ role: 'official', subject: 'official-metrics', agencyId: 'ubnd-xa-mai-pha' });
    const birth = {
      serviceId: '1.001193',
      applicant: { fullName: 'Nguyễn Văn Bình', idNumber: '020090004321', phone: '0912000111', address: 'Phường Chi Lăng, TP Lạng Sơn' },
      fields: { childName: 'Nguyễn Minh Khôi', dateOfBirth: '2026-11-20', gender: 'Nam', placeOfBirth: 'Bệnh viện Đa khoa tỉnh Lạng Sơn' },
    };

    // Act: online, the procedure's required documents make it a draft; at the desk it is filed at once
    const draft = await call('/dossiers', { token: citizen.token, body: { ...birth, agencyId: 'ubnd-xa-mai-pha' } });
    const afterDraft = lines.length;
    const desk = await call('/agencies/ubnd-xa-mai-pha/dossiers', { token: official.token, body: { ...birth, channel: 'counter' } });
    restore();

    // Assess
    expect([draft.status, draft.json?.dossier?.draft], draft.text).toEqual([201, true]);
    expect(desk.status, desk.text).toBe(201);
    expect(afterDraft).toBe(0);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      _aws: { CloudWatchMetrics: [{ Namespace: businessMetrics.namespace, Dimensions: [['service', 'channel']], Metrics: [{ Name: businessMetrics.submissions, Unit: 'Count' }] }] },
      service: businessMetrics.service(stack.provinceId),
      channel: 'counter',
      [businessMetrics.submissions]: 1,
    });
  });
});
