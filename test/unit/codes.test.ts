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

  it('refuses sequences outside 1..9999, which the 4-digit code cannot hold', () => {
    expect(() => formatDossierCode('000.00.14.H56', '200203', 0)).toThrow(RangeError);
    expect(() => formatDossierCode('000.00.14.H56', '200203', 10000)).toThrow(RangeError);
  });

  it('parses a code back into agency, day and sequence, and rejects anything else', () => {
    expect(parseDossierCode('000.00.14.H56-200203-0118')).toEqual({ agencyCode: '000.00.14.H56', day: '200203', sequence: 118 });
    expect(parseDossierCode('000.00.14.H56-200203-118')).toBeUndefined();
    expect(parseDossierCode('../etc/passwd')).toBeUndefined();
  });
});
