import { describe, expect, it } from 'vitest';
import { TRACKING_MAX_FAILURES, TRACKING_WINDOW_MS, publicTrackingView, trackingGate } from '../../functions/domain/tracking.js';
import { hashPin, newTrackingPin, verifyPin } from '../../functions/adapters/pin.js';
import type { WorkflowDossier } from '../../functions/domain/workflow.js';

const now = new Date('2026-05-04T03:00:00Z');
const ago = (ms: number) => new Date(now.getTime() - ms).toISOString();

describe('tracking PINs', () => {
  it('are six digits, stored only as a salted hash that verifies the right PIN and no other', () => {
    const pin = newTrackingPin();
    expect(pin).toMatch(/^\d{6}$/);
    const stored = hashPin(pin);
    expect(stored).not.toContain(pin);
    expect(hashPin(pin)).not.toBe(stored);
    expect(verifyPin(pin, stored)).toBe(true);
    expect(verifyPin(pin === '000000' ? '000001' : '000000', stored)).toBe(false);
    expect(verifyPin(pin, undefined)).toBe(false);
    expect(verifyPin(pin, 'md5$x$y')).toBe(false);
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
      status: 2, version: 2, submittedAt: ago(86_400_000), updatedAt: ago(1000), receivedAt: ago(1000), dueAt: ago(-86_400_000), trackingPinHash: 'scrypt$a$b',
    } as WorkflowDossier;
    const view = publicTrackingView(d, [], now);
    expect(view).toMatchObject({ code: 'c', status: { code: 2, label: 'Được tiếp nhận' }, standing: 'not-yet-due' });
    const text = JSON.stringify(view);
    for (const secret of ['Hoàng Thị Lan', '020090001234', '0912345678', 'scrypt', 'secret', 'applicant-subject-42']) expect(text).not.toContain(secret);
  });
});
