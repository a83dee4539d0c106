import { describe, expect, it } from 'vitest';
import { assertAcceptsOnlineDossiers, chooseAgency, filterServices, findService, foldVietnamese } from '../../functions/domain/catalog.js';
import { AppError } from '../../functions/domain/errors.js';
import { fixtureProvince } from '../fixtures/province.js';

const province = fixtureProvince();

describe('catalog', () => {
  it('finds procedures by words typed without accents', () => {
    expect(foldVietnamese('Lý lịch Tư pháp Đăng ký')).toBe('ly lich tu phap dang ky');
    expect(filterServices(province, { text: 'ly lich tu phap' }).map((s) => s.id)).toEqual(['1.001023']);
    expect(filterServices(province, { text: 'khai sinh' }).map((s) => s.id)).toEqual(['1.001193']);
  });

  it('filters by level, tier, agency and toàn trình', () => {
    expect(filterServices(province, { level: 4 }).map((s) => s.id)).toEqual(['1.001023', '1.001193']);
    expect(filterServices(province, { tier: 'commune' }).map((s) => s.id)).toEqual(['1.001193', '2.000001']);
    expect(filterServices(province, { agencyId: 'ubnd-xa-mai-pha' }).map((s) => s.id)).toEqual(['1.001193', '2.000001']);
    expect(filterServices(province, { agencyId: 'so-xay-dung' }).map((s) => s.id)).toEqual(['1.009994']);
    expect(filterServices(province, { fullyOnline: false, level: 3 }).map((s) => s.id)).toEqual(['1.009994']);
  });

  it('answers 404 for an unknown procedure', () => {
    expect(() => findService(province, 'nope')).toThrow(expect.objectContaining({ kind: 'not_found', code: 'not_found' }));
  });

  it('accepts online dossiers from level 3 up only', () => {
    expect(() => assertAcceptsOnlineDossiers(findService(province, '2.000001'))).toThrow(expect.objectContaining({ kind: 'unprocessable', code: 'service_not_online' }));
    expect(() => assertAcceptsOnlineDossiers(findService(province, '1.009994'))).not.toThrow();
  });

  it('picks the only agency of a department service, and asks which commune for a commune service', () => {
    expect(chooseAgency(province, findService(province, '1.001023'), undefined).id).toBe('so-tu-phap');
    const commune = findService(province, '1.001193');
    expect(chooseAgency(province, commune, 'ubnd-xa-hoang-dong').id).toBe('ubnd-xa-hoang-dong');
    let missing: unknown;
    try {
      chooseAgency(province, commune, undefined);
    } catch (err) {
      missing = err;
    }
    expect(missing).toBeInstanceOf(AppError);
    expect((missing as AppError).details).toEqual([expect.objectContaining({ field: 'agencyId', allowed: ['ubnd-xa-mai-pha', 'ubnd-xa-hoang-dong'] })]);
    expect(() => chooseAgency(province, commune, 'so-tu-phap')).toThrow(expect.objectContaining({ kind: 'invalid' }));
  });
});
