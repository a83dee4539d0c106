import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { REDACTED, scrub } from '../../functions/http/log-privacy.js';
import { citizenClaims, httpEvent, lambdaContext, officialClaims } from '../fixtures/events.js';
import { applicant, enterpriseRegistration } from '../support/dossiers.js';

/**
 * Requests that carry an applicant's personal data, run through the real handlers against the run's
 * emulators with the logger at DEBUG: whatever is written to stdout or stderr must not hold the ID
 * number, the phone number or the e-mail address. Refusals must still leave a line.
 */

const person = { ...applicant(4242), idNumber: '079123456789', phone: '0987654321', email: 'tran.thi.mai@example.vn' };
const secrets = [person.idNumber, person.phone, person.email];
const captured: string[] = [];
const originals = { out: process.stdout.write.bind(process.stdout), err: process.stderr.write.bind(process.stderr), console: { ...console } };

type Handler = (event: ReturnType<typeof httpEvent>, context: typeof lambdaContext) => Promise<unknown>;
let createDossier: Handler, getDossier: Handler, actOnDossier: Handler, uploadDocument: Handler;
let logger: typeof import('../../functions/http/logger.js').logger;
const savedLevel = process.env.LOG_LEVEL;

beforeAll(async () => {
  // the logger reads its level once, when its module loads: load the handlers after setting it
  process.env.LOG_LEVEL = 'DEBUG';
  ({ logger } = await import('../../functions/http/logger.js'));
  ({ handler: createDossier } = await import('../../functions/handlers/dossiers-create.js'));
  ({ handler: getDossier } = await import('../../functions/handlers/dossiers-get.js'));
  ({ handler: actOnDossier } = await import('../../functions/handlers/dossiers-act.js'));
  ({ handler: uploadDocument } = await import('../../functions/handlers/documents-upload.js'));
  const keep = (chunk: unknown) => {
    captured.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8'));
    return true;
  };
  process.stdout.write = keep as typeof process.stdout.write;
  process.stderr.write = keep as typeof process.stderr.write;
  for (const level of ['log', 'info', 'warn', 'error', 'debug'] as const) console[level] = (...args: unknown[]) => void keep(args.map(String).join(' '));
});

afterAll(() => {
  process.stdout.write = originals.out;
  process.stderr.write = originals.err;
  Object.assign(console, originals.console);
  if (savedLevel === undefined) delete process.env.LOG_LEVEL;
  else process.env.LOG_LEVEL = savedLevel;
});

const call = (h: Handler, event: ReturnType<typeof httpEvent>) => h(event, lambdaContext) as Promise<APIGatewayProxyStructuredResultV2>;
const post = (path: string, routeKey: string, body: string, claims: Record<string, string>, pathParameters?: Record<string, string>) =>
  httpEvent({ method: 'POST', path, routeKey, body, claims, ...(pathParameters ? { pathParameters } : {}) });

describe('logs', () => {
  it('never hold ID numbers, phone numbers or e-mail addresses, for accepted and refused requests alike', async () => {
    // Prepare
    const claims = citizenClaims('log-privacy-citizen');
    const good = { ...enterpriseRegistration(4242), applicant: person };
    // Act
    const created = await call(createDossier, post('/dossiers', 'POST /dossiers', JSON.stringify(good), claims));
    const code = JSON.parse(created.body ?? '{}').code as string;
    const answers = [
      created,
      // refused by validation, with the personal data in the body
      await call(createDossier, post('/dossiers', 'POST /dossiers', JSON.stringify({ ...good, applicant: { ...person, phone: `${person.phone}x` } }), claims)),
      await call(createDossier, post('/dossiers', 'POST /dossiers', JSON.stringify({ ...good, fields: { ...good.fields, investedCapitalVnd: 1e21 } }), claims)),
      // not JSON: the parser quotes the body in its message
      await call(createDossier, post('/dossiers', 'POST /dossiers', `{"applicant": {"idNumber": "${person.idNumber}", "phone": "${person.phone}", "email": "${person.email}"} oops`, claims)),
      await call(getDossier, httpEvent({ method: 'GET', path: `/dossiers/${code}`, routeKey: 'GET /dossiers/{code}', pathParameters: { code }, claims })),
      await call(getDossier, httpEvent({ method: 'GET', path: `/dossiers/${code}`, routeKey: 'GET /dossiers/{code}', pathParameters: { code }, claims: officialClaims('so-tu-phap') })),
      await call(actOnDossier, post(`/dossiers/${code}/actions`, 'POST /dossiers/{code}/actions', JSON.stringify({ action: 'refuse', reason: `gọi ${person.phone}, email ${person.email}, CCCD ${person.idNumber}` }), officialClaims('so-ke-hoach-va-dau-tu'), { code })),
      await call(uploadDocument, post(`/dossiers/${code}/documents`, 'POST /dossiers/{code}/documents', JSON.stringify({ component: 'giay-de-nghi', fileName: `${person.idNumber}\u0000.pdf`, contentType: 'application/pdf', size: 10 }), claims, { code })),
    ];
    // an error whose message quotes personal data (as an SDK or a parser may) goes through the same logger
    logger.error('unexpected', { error: new Error(`could not store ${person.idNumber} / ${person.phone} / ${person.email}`) });

    // Assess
    expect(answers.map((a) => a.statusCode)).toEqual([201, 400, 400, 400, 200, 404, 404, 400]);
    const output = captured.join('\n');
    expect(output).toContain('"refused"');
    expect(output).toContain('fields.investedCapitalVnd');
    expect(output).toContain(REDACTED);
    for (const secret of secrets) expect(output, secret).not.toContain(secret);
  });

  it('scrub CMND and CCCD numbers, phone numbers and e-mail addresses, and leave codes and dates alone', () => {
    expect(scrub('CCCD 079123456789, CMND 123456789, 0987654321, +84987654321, a.b@example.vn')).toBe(
      `CCCD ${REDACTED}, CMND ${REDACTED}, ${REDACTED}, ${REDACTED}, ${REDACTED}`,
    );
    const ordinary = 'dossier 000.00.05.H37-260424-0001 at 2026-04-24T01:02:03.456Z, eventId 1f0e-9a, 1764646400000';
    expect(scrub(ordinary)).toBe(ordinary);
  });
});
