import { describe, expect, inject, it } from 'vitest';
import { dynamo } from '../../functions/adapters/clients.js';
import { DossierRepository } from '../../functions/adapters/dossier-repository.js';
import { trackByPin } from '../../functions/app/tracking.js';
import { pinHasher } from '../../functions/adapters/pin.js';
import { AppError } from '../../functions/domain/errors.js';
import { TRACKING_MAX_FAILURES } from '../../functions/domain/tracking.js';
import { httpStatusOf } from '../../functions/http/error-status.js';

const stack = inject('localStack');

describe('the wrong-PIN limit against DynamoDB Local', () => {
  it(`evaluates at most ${TRACKING_MAX_FAILURES} of 200 concurrent wrong PINs for one dossier`, async () => {
    // Prepare: the real repository, counting the reads that evaluating a PIN needs
    const real = new DossierRepository(dynamo(), stack.tableName);
    let evaluated = 0;
    const repo = Object.assign(Object.create(real) as DossierRepository, {
      getForTracking: (code: string) => {
        evaluated += 1;
        return real.getForTracking(code);
      },
    });
    const code = `000.00.05.H37-990101-${String(Date.now() % 10_000).padStart(4, '0')}`;
    // Act
    const answers = await Promise.allSettled(Array.from({ length: 200 }, () => trackByPin({ repo, pins: pinHasher, now: new Date() }, code, '123456')));
    // Assess
    const statuses = answers.map((a) => (a.status === 'rejected' && a.reason instanceof AppError ? httpStatusOf(a.reason) : 'other'));
    expect(evaluated).toBeLessThanOrEqual(TRACKING_MAX_FAILURES);
    expect(statuses.filter((s) => s === 404)).toHaveLength(evaluated);
    expect(statuses.filter((s) => s === 429)).toHaveLength(200 - evaluated);
    const locked = answers.find((a) => a.status === 'rejected' && httpStatusOf(a.reason as AppError) === 429) as PromiseRejectedResult;
    expect((locked.reason as AppError).details).toMatchObject({ retryAfterSeconds: expect.any(Number) });
  });
});
