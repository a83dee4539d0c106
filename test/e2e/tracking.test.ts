import { describe, expect, it } from 'vitest';
import { api, tokenFor } from '../support/api.js';
import { enterpriseRegistration, fileDossier } from '../support/dossiers.js';

describe('following a dossier', () => {
  it('works without an account, with the code and PIN of the receipt, and shows no personal data', async () => {
    const token = await tokenFor('citizen', { subject: 'tracking-citizen-1' });
    const { created, code, draftId, trackingPin } = await fileDossier(api, token, enterpriseRegistration(501), { 'idempotency-key': 'tracking-key-501' });
    expect(created.status).toBe(201);
    expect(trackingPin).toMatch(/^\d{6}$/);
    // a retried submit, or the key replayed, answers the same PIN: recomputed from the code, never kept
    expect((await api(`/dossiers/${draftId}/submit`, { token, method: 'POST' })).json).toMatchObject({ code, trackingPin });
    expect((await api('/dossiers', { token, body: enterpriseRegistration(501), headers: { 'idempotency-key': 'tracking-key-501' } })).json).toMatchObject({ code, trackingPin });

    const tracked = await api(`/track/${code}?pin=${trackingPin}`);
    expect(tracked.status).toBe(200);
    expect(tracked.json).toMatchObject({ code, status: { code: 1, label: 'Mới đăng ký' }, agency: { id: 'so-ke-hoach-va-dau-tu' } });
    expect(tracked.text).not.toContain('Hoàng Thị Lan');
    expect(tracked.text).not.toContain('0912345678');
    expect((await api(`/track/${code}?pin=12345`)).status).toBe(400);
  });

  it('answers a wrong PIN like an unknown code, and stops answering after five wrong PINs', async () => {
    const token = await tokenFor('citizen', { subject: 'tracking-citizen-2' });
    const { code, trackingPin } = (await fileDossier(api, token, enterpriseRegistration(502))) as { code: string; trackingPin: string };
    const wrong = trackingPin === '000000' ? '000001' : '000000';
    const unknown = await api(`/track/000.00.05.H37-990101-0001?pin=${wrong}`);
    const first = await api(`/track/${code}?pin=${wrong}`);
    expect(first.status).toBe(404);
    expect(first.json.error.message).toBe(unknown.json.error.message);
    for (let i = 0; i < 4; i++) expect((await api(`/track/${code}?pin=${wrong}`)).status).toBe(404);
    const locked = await api(`/track/${code}?pin=${trackingPin}`);
    expect(locked.status).toBe(429);
    expect(locked.json.error.details.retryAfterSeconds).toBeGreaterThan(0);
    expect(Number(locked.headers.get('retry-after'))).toBe(locked.json.error.details.retryAfterSeconds);
    // whoever locked the receipt, the applicant signed in still sees the dossier
    const own = await api(`/dossiers/${code}`, { token });
    expect(own.status).toBe(200);
    expect(own.json.code).toBe(code);
  });

  it('lists a citizen’s own dossiers and nobody else’s', async () => {
    const mine = await tokenFor('citizen', { subject: 'tracking-lister' });
    const other = await tokenFor('citizen', { subject: 'tracking-other' });
    const codes = [];
    for (const n of [511, 512]) codes.push((await api('/dossiers', { token: mine, body: enterpriseRegistration(n) })).json.code as string);
    await api('/dossiers', { token: other, body: enterpriseRegistration(513) });
    const list = await api('/dossiers?limit=1', { token: mine });
    expect(list.status).toBe(200);
    expect(list.json.items).toHaveLength(1);
    const next = await api(`/dossiers?limit=1&cursor=${encodeURIComponent(list.json.nextCursor)}`, { token: mine });
    expect([list.json.items[0].code, next.json.items[0].code].sort()).toEqual([...codes].sort());
    const foreignCursor = await api(`/dossiers?limit=1&cursor=${encodeURIComponent(list.json.nextCursor)}`, { token: other });
    expect(foreignCursor.status).toBe(400);
  });
});
