import { readFileSync } from 'node:fs';
import { describe, it, expect } from 'vitest';
import { loadProvince, parseProvince, provinceFilePath, ProvinceFileError } from '../../provinces/load.js';
import { agencyCodePattern, type Province } from '../../provinces/schema.js';
import { agenciesFor, agencyValidOn, chooseAgency, currentAgencies, findService } from '../../functions/domain/catalog.js';
import { intakeDossier, validateIntake } from '../../functions/domain/intake.js';

const provinces = [
  { id: 'lang-son', name: 'Lạng Sơn', code: 'H37', portal: 'https://dichvucong.langson.gov.vn' },
  { id: 'lai-chau', name: 'Lai Châu', code: 'H34', portal: 'https://dichvucong.laichau.gov.vn' },
] as const;

/** The file as written, before defaults: the base for the broken copies below. */
function rawFile(id: string): Record<string, any> {
  return JSON.parse(readFileSync(provinceFilePath(id), 'utf8')) as Record<string, any>;
}

/** The problems a broken copy is rejected with; fails the test if it is accepted. */
function problemsOf(data: unknown): { path: string; message: string }[] {
  try {
    parseProvince(data, 'broken.json');
  } catch (err) {
    expect(err).toBeInstanceOf(ProvinceFileError);
    expect((err as ProvinceFileError).file).toBe('broken.json');
    return [...(err as ProvinceFileError).problems];
  }
  throw new Error('the broken copy was accepted');
}

function weekday(date: string): number {
  return new Date(`${date}T00:00:00Z`).getUTCDay();
}

describe.each(provinces)('province file $id', ({ id, name, code, portal }) => {
  const province: Province = loadProvince(id);

  it('names the province, its letter code and its portal', () => {
    expect(province.id).toBe(id);
    expect(province.name).toBe(name);
    expect(province.code).toBe(code);
    expect(province.portalOrigins).toEqual([portal]);
  });

  it('routes to the two tiers in force since 1/7/2025 and keeps the district tier in history', () => {
    expect(province.tiers.map((t) => t.id)).toEqual(['province', 'district', 'commune']);
    expect(province.tiers.find((t) => t.id === 'district')?.validUntil).toBe('2025-06-30');
    for (const tier of ['province', 'commune']) {
      expect(currentAgencies(province).filter((a) => a.tier === tier).length, tier).toBeGreaterThan(0);
      expect(province.services.filter((s) => s.tier === tier).length, tier).toBeGreaterThan(0);
    }
    const districts = province.agencies.filter((a) => a.tier === 'district');
    expect(districts.length).toBeGreaterThan(0);
    for (const district of districts) expect(district.validUntil, district.id).toBe('2025-06-30');
    expect(province.services.filter((s) => s.tier === 'district')).toEqual([]);
    // what districts used to do (household businesses, private building permits…) goes to the communes
    const household = findService(province, '1.001612');
    expect(household.tier).toBe('commune');
    expect(agenciesFor(province, household).map((a) => a.tier)).toEqual(currentAgencies(province).filter((a) => a.tier === 'commune').map(() => 'commune'));
    const district = districts[0]!;
    expect(() => chooseAgency(province, household, district.id)).toThrow(/does not process this service/);
  });

  it('dates the reorganisation: districts until 30/6/2025, the communes that took their work from 1/7/2025, each with its act', () => {
    const onDay = (day: string, tier: string) => province.agencies.filter((a) => a.tier === tier && agencyValidOn(a, day)).length;
    expect(onDay('2025-06-30', 'district')).toBeGreaterThan(0);
    expect(onDay('2025-06-30', 'commune')).toBe(0);
    expect(onDay('2025-07-01', 'district')).toBe(0);
    expect(onDay('2025-07-01', 'commune')).toBe(province.agencies.filter((a) => a.tier === 'commune').length);
    // departments are not touched by it
    expect(onDay('2025-06-30', 'province')).toBe(onDay('2025-07-01', 'province'));
    for (const a of province.agencies.filter((x) => x.tier !== 'province')) expect(a.source, a.id).toMatch(/72\/2025\/QH15/);
    // what the catalog routes to today is exactly what is valid today
    const today = '2026-12-02';
    expect(currentAgencies(province).map((a) => a.id)).toEqual(province.agencies.filter((a) => agencyValidOn(a, today)).map((a) => a.id));
  });

  it('routes a dossier by the structure in force when it is submitted, whatever the date it carries', () => {
    // Procedures carry their tier today only (district procedures became commune ones), so a dossier is
    // routed by the current structure even when the clock reads a day before 1/7/2025.
    const household = findService(province, '1.001612');
    const commune = currentAgencies(province).find((a) => a.tier === 'commune')!;
    const district = province.agencies.find((a) => a.tier === 'district')!;
    const before = new Date('2025-06-20T03:00:00Z');
    expect(agencyValidOn(commune, '2025-06-20')).toBe(false);
    expect(agencyValidOn(district, '2025-06-20')).toBe(true);
    const applicant = { fullName: 'Nguyễn Văn An', idNumber: '020090001234', phone: '0912345678', address: 'Lạng Sơn' };
    const fields = { businessName: 'Hộ kinh doanh An', businessLine: 'Bán lẻ', capitalVnd: 50_000_000, address: 'Lạng Sơn' };
    const source = { kind: 'online', subject: 'lan' } as const;
    const valid = validateIntake(province, { serviceId: household.id, agencyId: commune.id, applicant, fields }, source);
    const { dossier } = intakeDossier(valid, source, { code: 'X-1', at: before, eventId: 'e1' });
    expect(dossier).toMatchObject({ agencyId: commune.id, submittedAt: before.toISOString() });
    expect(() => validateIntake(province, { serviceId: household.id, agencyId: district.id, applicant, fields }, source)).toThrow(/does not process this service/);
  });

  it('gives every agency a unique id and a unique Decision 20/2020 code of this province', () => {
    const ids = province.agencies.map((a) => a.id);
    const codes = province.agencies.map((a) => a.code);
    expect(new Set(ids).size).toBe(ids.length);
    expect(new Set(codes).size).toBe(codes.length);
    for (const agency of province.agencies) {
      expect(agency.code).toMatch(agencyCodePattern);
      expect(agency.code.endsWith(`.${code}`), agency.id).toBe(true);
      expect(agency.id.length).toBeLessThanOrEqual(40);
    }
    // departments are 000.00.NN, districts 000.DD.00 and communes 000.DD.CC under their district
    for (const agency of province.agencies.filter((a) => a.tier === 'province')) expect(agency.code).toMatch(/^000\.00\.\d{2}\./);
    const districtParts = new Set(province.agencies.filter((a) => a.tier === 'district').map((a) => a.code.slice(4, 6)));
    for (const agency of province.agencies.filter((a) => a.tier === 'district')) expect(agency.code).toMatch(/^000\.\d{2}\.00\./);
    for (const agency of province.agencies.filter((a) => a.tier === 'commune')) {
      expect(agency.code).not.toMatch(/^000\.\d{2}\.00\./);
      expect(districtParts.has(agency.code.slice(4, 6)), agency.id).toBe(true);
    }
  });

  it('carries between 30 and 40 services with unique ids and national codes', () => {
    expect(province.services.length).toBeGreaterThanOrEqual(30);
    expect(province.services.length).toBeLessThanOrEqual(40);
    const ids = province.services.map((s) => s.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const service of province.services) {
      expect(service.code, service.id).toBe(`${service.id}.000.00.00.${code}`);
    }
  });

  it('resolves every service to agencies of its own tier', () => {
    const agencies = new Map(province.agencies.map((a) => [a.id, a]));
    for (const service of province.services) {
      const processing = service.agencyIds
        ? service.agencyIds.map((agencyId) => agencies.get(agencyId))
        : currentAgencies(province).filter((a) => a.tier === service.tier);
      expect(processing.length, service.id).toBeGreaterThan(0);
      for (const agency of processing) {
        expect(agency, `${service.id} → unknown agency`).toBeDefined();
        expect(agency!.tier, service.id).toBe(service.tier);
      }
    }
    // a department's service names the department; only some communes (on the border) take border procedures
    for (const service of province.services.filter((s) => s.tier === 'province')) expect(service.agencyIds, service.id).toHaveLength(1);
    const border = province.services.find((s) => s.id === '1.000094');
    expect(border?.agencyIds?.length).toBeGreaterThan(0);
    expect(border!.agencyIds!.length).toBeLessThan(province.agencies.filter((a) => a.tier === 'commune').length);
  });

  it('mixes level-4 services with lower ones, each of those with its reason', () => {
    const level4 = province.services.filter((s) => s.level === 4);
    const below = province.services.filter((s) => s.level < 4);
    expect(level4.length).toBeGreaterThan(0);
    expect(below.length).toBeGreaterThan(0);
    expect(new Set(province.services.map((s) => s.level))).toEqual(new Set([1, 2, 3, 4]));
    for (const service of below) {
      expect(service.notEligibleReason, service.id).toBeTruthy();
      expect(service.fullyOnline, service.id).toBe(false);
    }
    expect(province.services.some((s) => s.fullyOnline)).toBe(true);
    expect(province.services.some((s) => !s.fullyOnline)).toBe(true);
  });

  it('counts processing time in working days, a few in calendar days', () => {
    const units = province.services.map((s) => s.processing.unit);
    expect(units.filter((u) => u === 'working-days').length).toBeGreaterThan(units.length / 2);
    expect(units).toContain('calendar-days');
  });

  it('describes documents and form fields an applicant can fill', () => {
    for (const service of province.services) {
      for (const document of service.documents) {
        expect(document.maxSizeBytes, `${service.id}/${document.id}`).toBeLessThanOrEqual(50 * 1024 * 1024);
        expect(document.allowedTypes.length).toBeGreaterThan(0);
      }
      expect(new Set(service.documents.map((d) => d.id)).size, service.id).toBe(service.documents.length);
      expect(new Set(service.fields.map((f) => f.name)).size, service.id).toBe(service.fields.length);
      expect(service.fields.length, service.id).toBeLessThanOrEqual(5);
      for (const field of service.fields) if (field.type === 'enum') expect(field.options?.length, `${service.id}.${field.name}`).toBeGreaterThan(0);
      if (service.level >= 3) expect(service.documents.length, `${service.id} takes dossiers online`).toBeGreaterThan(0);
    }
  });

  it('offers the judicial record (lý lịch tư pháp) at level 4 from the Sở Tư pháp for 200,000 đồng', () => {
    const record = province.services.find((s) => s.id === '2.000488');
    expect(record).toMatchObject({ tier: 'province', level: 4, fullyOnline: true, agencyIds: ['so-tu-phap'] });
    expect(record!.fees.map((f) => f.amountVnd)).toEqual([200000]);
    expect(record!.fields.find((f) => f.name === 'purpose')).toMatchObject({ type: 'string', required: true });
    expect(record!.fields.find((f) => f.name === 'copies')).toMatchObject({ type: 'number', required: true });
  });

  it('has the 2025, 2026 and 2027 calendars with the public holidays of the Labour Code', () => {
    const { years } = province.calendar;
    expect(Object.keys(years).sort()).toEqual(['2025', '2026', '2027']);
    for (const [year, entry] of Object.entries(years)) {
      const all = [...entry.holidays, ...entry.daysOff, ...entry.workingDays];
      for (const { date, name } of all) {
        expect(date.startsWith(`${year}-`), date).toBe(true);
        expect(name.length).toBeGreaterThan(0);
      }
      const holidays = entry.holidays.map((h) => h.date);
      expect(holidays).toEqual(expect.arrayContaining([`${year}-01-01`, `${year}-04-30`, `${year}-05-01`, `${year}-09-02`]));
      // Labour Code 2019 art. 112: 1 + 5 (Tết) + 1 + 1 + 1 + 2 days
      expect(holidays).toHaveLength(11);
      expect(new Set(holidays).size).toBe(holidays.length);
      for (const { date } of entry.workingDays) expect([0, 6], `${date} is a swapped weekend day`).toContain(weekday(date));
    }
    // Tết Ất Tỵ: 25 January – 2 February 2025; Tết Bính Ngọ: 14–22 February 2026 (weekdays listed)
    expect(years['2025']!.holidays.filter((h) => h.date.startsWith('2025-01-') && h.date !== '2025-01-01').map((h) => h.date)).toEqual([
      '2025-01-27', '2025-01-28', '2025-01-29', '2025-01-30', '2025-01-31',
    ]);
    expect(years['2026']!.holidays.filter((h) => h.date.startsWith('2026-02-')).map((h) => h.date)).toEqual([
      '2026-02-16', '2026-02-17', '2026-02-18', '2026-02-19', '2026-02-20',
    ]);
    // Hùng Kings' day 2026 falls on a Sunday and stays a holiday: the calendar gives it back
    expect(years['2026']!.holidays.map((h) => h.date)).toContain('2026-04-26');
    expect(weekday('2026-04-26')).toBe(0);
    // 2025: Friday 2 May off, worked on Saturday 26 April instead
    expect(years['2025']!.daysOff.map((d) => d.date)).toEqual(['2025-05-02']);
    expect(years['2025']!.workingDays.map((d) => d.date)).toEqual(['2025-04-26']);
  });
});

describe('the two provinces', () => {
  it('use different letter codes, so their agency codes never collide', () => {
    const [langSon, laiChau] = provinces.map((p) => loadProvince(p.id));
    const codes = new Set(langSon!.agencies.map((a) => a.code));
    expect(laiChau!.agencies.some((a) => codes.has(a.code))).toBe(false);
  });

  it('start the Lạng Sơn catalog with the judicial record, used in examples', () => {
    const first = loadProvince('lang-son').services[0]!;
    expect(first.id).toBe('2.000488');
    expect(first.name).toMatch(/^Cấp Phiếu lý lịch tư pháp/);
    expect(first.fields.filter((f) => f.required).map((f) => f.name)).toEqual(['purpose', 'copies']);
  });
});

describe('a broken province file', () => {
  it('is rejected when a service below level 4 gives no reason', () => {
    const data = rawFile('lang-son');
    expect(data.services[3].level).toBeLessThan(4);
    delete data.services[3].notEligibleReason;
    expect(problemsOf(data)).toContainEqual({ path: 'services[3].notEligibleReason', message: 'required when level is below 4' });
  });

  it('is rejected when a level-4 service is lowered to level 3 without a reason', () => {
    const data = rawFile('lai-chau');
    expect(data.services[0].level).toBe(4);
    data.services[0].level = 3;
    const paths = problemsOf(data).map((p) => p.path);
    expect(paths).toContain('services[0].notEligibleReason');
    expect(paths).toContain('services[0].fullyOnline');
  });

  it('is rejected when an agency or a service names an unknown tier', () => {
    const data = rawFile('lang-son');
    data.agencies[2].tier = 'region';
    data.services[5].tier = 'region';
    const problems = problemsOf(data);
    expect(problems).toContainEqual({ path: 'agencies[2].tier', message: 'unknown tier "region"' });
    expect(problems).toContainEqual({ path: 'services[5].tier', message: 'unknown tier "region"' });
  });

  it('is rejected when a service names an unknown agency or an agency code of another province', () => {
    const data = rawFile('lai-chau');
    data.services[1].agencyIds = ['so-khong-ton-tai'];
    data.agencies[0].code = '000.00.14.H37';
    const paths = problemsOf(data).map((p) => p.path);
    expect(paths).toContain('services[1].agencyIds[0]');
    expect(paths).toContain('agencies[0].code');
  });

  it('is rejected with the field path of a malformed document, field or date', () => {
    const data = rawFile('lang-son');
    data.services[0].documents[0].allowedTypes = ['application/zip'];
    // refinements of a service run once its shape is valid: the enum without options sits in another service
    data.services[1].fields.push({ name: 'kind', label: 'Loại', type: 'enum', required: true });
    data.calendar.years['2026'].holidays[0].date = '1/1/2026';
    const paths = problemsOf(data).map((p) => p.path);
    expect(paths).toContain('services[0].documents[0].allowedTypes[0]');
    expect(paths).toContain(`services[1].fields[${data.services[1].fields.length - 1}].options`);
    expect(paths).toContain('calendar.years.2026.holidays[0].date');
  });

  it('loads as an error, not a crash, for a province that has no file', () => {
    expect(() => loadProvince('khong-co-tinh-nay')).toThrow(ProvinceFileError);
  });
});

describe('abolished tiers and agencies', () => {
  const problemsOf = (mutate: (data: Record<string, any>) => void) => {
    const data = rawFile('lang-son');
    mutate(data);
    try {
      parseProvince(data, 'lang-son.json');
      return [];
    } catch (err) {
      return (err as ProvinceFileError).problems;
    }
  };

  it('refuses a service of an abolished tier, or one naming an abolished agency', () => {
    const problems = problemsOf((data) => {
      const i = data.services.findIndex((s: { id: string }) => s.id === '1.001612');
      data.services[i].tier = 'district';
      data.services[0].agencyIds = ['ubnd-huyen-chi-lang'];
    });
    expect(problems.map((p) => p.message)).toEqual(
      expect.arrayContaining([
        'the tier "district" was abolished; the catalog routes to current tiers only',
        'agency "ubnd-huyen-chi-lang" was abolished (validUntil 2025-06-30)',
      ]),
    );
  });

  it('requires an end date on an agency of an abolished tier', () => {
    const problems = problemsOf((data) => {
      const district = data.agencies.find((a: { tier: string }) => a.tier === 'district');
      delete district.validUntil;
    });
    expect(problems.map((p) => p.message)).toContain('required: the tier "district" was abolished');
  });

  it('accepts as successor of an abolished tier only a current tier, and only on an abolished one', () => {
    const tier = (data: Record<string, any>, id: string) => data.tiers.find((t: { id: string }) => t.id === id);
    expect(problemsOf(() => undefined)).toEqual([]);
    expect(problemsOf((data) => (tier(data, 'district').succeededBy = 'district')).map((p) => p.message)).toEqual(['"district" is not a current tier']);
    expect(problemsOf((data) => (tier(data, 'district').succeededBy = 'nowhere')).map((p) => p.message)).toEqual(['"nowhere" is not a current tier']);
    expect(problemsOf((data) => (tier(data, 'province').succeededBy = 'commune')).map((p) => p.message)).toEqual(['only an abolished tier (validUntil) has a successor']);
  });
});
