import { describe, expect, it } from 'vitest';
import { TRACKING_MAX_FAILURES, TRACKING_WINDOW_MS, trackingGate } from '../../functions/domain/tracking.js';
import { publicTrackingView } from '../../functions/app/views.js';
import { newTrackingPin, trackingPinFor, verifyPin } from '../../functions/adapters/pin.js';
import type { WorkflowDossier } from '../../functions/domain/workflow.js';

const now = new Date('2026-05-04T03:00:00Z');
const ago = (ms: number) => new Date(now.getTime() - ms).toISOString();

describe('tracking PINs', () => {
  const code = '000.00.05.H37-260302-0042';

  it('are six digits derived from the code with the stack key, so a replay recomputes the same one', async () => {
    const { pin, hash } = await newTrackingPin(code);
    expect(pin).toMatch(/^\d{6}$/);
    expect(await trackingPinFor(code)).toBe(pin);
    expect((await newTrackingPin('000.00.05.H37-260302-0043')).pin).not.toBe(pin);
    expect(hash).toMatch(/^hmac-sha256\$[A-Za-z0-9_-]{43}$/);
    expect(hash).not.toContain(pin);
  });

  it('are stored only as a keyed hash that verifies the right PIN of the right code and nothing else', async () => {
    const { pin, hash } = await newTrackingPin(code);
    expect(await verifyPin(code, pin, hash)).toBe(true);
    expect(await verifyPin(code, pin === '000000' ? '000001' : '000000', hash)).toBe(false);
    expect(await verifyPin('000.00.05.H37-260302-0043', pin, hash)).toBe(false);
    expect(await verifyPin(code, pin, undefined)).toBe(false);
    expect(await verifyPin(code, pin, 'scrypt$x$y')).toBe(false);
    expect(await verifyPin(code, pin, 'hmac-sha256$short')).toBe(false);
  });
});

describe('the wrong-PIN limit per dossier', () => {
  it('lets the first try through and starts a window', () => {
    expect(trackingGate(undefined, now)).toEqual({ allowed: true, newWindow: true });
  });

  it(`allows up to ${TRACKING_MAX_FAILURES} wrong PINs in a window, then asks to wait until the window ends`, () => {
    expect(trackingGate({ failures: TRACKING_MAX_FAILURES - 1, windowStart: ago(60_000) }, now)).toEqual({ allowed: true, newWindow: false });
    expect(trackingGate({ failures: TRACKING_MAX_FAILURES, windowStart: ago(60_000) }, now)).toEqual({ allowed: false, retryAfterSeconds: (TRACKING_WINDOW_MS - 60_000) / 1000 });
  });

  it('starts a fresh window once the old one is over', () => {
    expect(trackingGate({ failures: 50, windowStart: ago(TRACKING_WINDOW_MS) }, now)).toEqual({ allowed: true, newWindow: true });
  });
});

describe('the public tracking view', () => {
  it('shows progress and dates but none of the applicant’s personal data', () => {
    const d = {
      code: 'c', serviceId: 's', serviceCode: 'sc', serviceName: 'n', agencyId: 'a', agencyCode: 'ac', agencyName: 'an', applicantSubject: 'applicant-subject-42',
      applicant: { fullName: 'Hoàng Thị Lan', idNumber: '020090001234', phone: '0912345678', address: 'Lạng Sơn' }, fields: { secret: 1 }, channel: 'online',
      status: 2, version: 2, submittedAt: ago(86_400_000), updatedAt: ago(1000), receivedAt: ago(1000), dueAt: ago(-86_400_000), trackingPinHash: 'hmac-sha256$secret-hash',
    } as WorkflowDossier;
    const view = publicTrackingView(d, [], now);
    expect(view).toMatchObject({ code: 'c', status: { code: 2, label: 'Được tiếp nhận' }, standing: 'not-yet-due' });
    const text = JSON.stringify(view);
    for (const secret of ['Hoàng Thị Lan', '020090001234', '0912345678', 'hmac-sha256', 'secret', 'applicant-subject-42']) expect(text).not.toContain(secret);
  });
});
