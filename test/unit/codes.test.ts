import { describe, expect, it } from 'vitest';
import { formatDossierCode, localDayStamp, parseDossierCode } from '../../functions/domain/codes.js';

describe('dossier codes', () => {
  it('formats the example code of the national portal', () => {
    expect(formatDossierCode('000.00.14.H56', '200203', 118)).toBe('000.00.14.H56-200203-0118');
  });

  it('dates a code by the Vietnam local day, not the UTC day', () => {
    // 17:30 UTC on 2 Feb is 00:30 on 3 Feb in Hà Nội
    expect(localDayStamp(new Date('2020-02-02T17:30:00Z'))).toBe('200203');
    expect(localDayStamp(new Date('2020-02-02T16:59:59Z'))).toBe('200202');
  });

  it('goes on past 9,999 with more digits, so a busy day never runs out of codes', () => {
    expect(formatDossierCode('000.00.14.H56', '200203', 9999)).toBe('000.00.14.H56-200203-9999');
    expect(formatDossierCode('000.00.14.H56', '200203', 10000)).toBe('000.00.14.H56-200203-10000');
    expect(parseDossierCode('000.00.14.H56-200203-10000')).toEqual({ agencyCode: '000.00.14.H56', day: '200203', sequence: 10000 });
    expect(() => formatDossierCode('000.00.14.H56', '200203', 0)).toThrow(RangeError);
    expect(() => formatDossierCode('000.00.14.H56', '200203', 1.5)).toThrow(RangeError);
  });

  it('spells each sequence one way: four digits with zeros, or more digits without a leading zero', () => {
    expect(parseDossierCode('000.00.14.H56-200203-01000')).toBeUndefined();
    expect(parseDossierCode('000.00.14.H56-200203-00118')).toBeUndefined();
  });

  it('parses a code back into agency, day and sequence, and rejects anything else', () => {
    expect(parseDossierCode('000.00.14.H56-200203-0118')).toEqual({ agencyCode: '000.00.14.H56', day: '200203', sequence: 118 });
    expect(parseDossierCode('000.00.14.H56-200203-118')).toBeUndefined();
    expect(parseDossierCode('../etc/passwd')).toBeUndefined();
  });
});
