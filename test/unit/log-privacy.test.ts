import { describe, expect, it } from 'vitest';
import { REDACTED, scrub } from '../../functions/http/log-privacy.js';

describe('scrub', () => {
  it.each([
    ['CCCD 079123456789 nộp hồ sơ', `CCCD ${REDACTED} nộp hồ sơ`],
    ['cmnd=123456789;', `cmnd=${REDACTED};`],
    ['gọi 0987654321 hoặc +84987654321', `gọi ${REDACTED} hoặc ${REDACTED}`],
    ['số079123456789', `số${REDACTED}`],
    ['CCCD079123456789', `CCCD${REDACTED}`],
    ['CMND123456789.pdf', `CMND${REDACTED}.pdf`],
    ['documents/ABC/CCCD079123456789.pdf', `documents/ABC/CCCD${REDACTED}.pdf`],
    ['sđt0912345678', `sđt${REDACTED}`],
    ['tel+84912345678', `tel${REDACTED}`],
    ['x0912345678y', `x${REDACTED}y`],
    ['mail tran.thi.mai@example.vn', `mail ${REDACTED}`],
  ])('redacts personal numbers and addresses: %s', (text, expected) => {
    expect(scrub(text)).toBe(expected);
  });

  it.each([
    // a UUID whose groups hold a nine-digit run, and one whose last group is twelve digits
    'event 8bcc437b-7651-4f0c-bb80-e7a899296118 already counted',
    'document 1f0c2b3a-0d4e-4c5b-9a6f-123456789012 verified',
    // a SHA-256 and an X-Ray trace id with digit runs between letters
    'sha 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08 trace 1-5759e988-bd862e3fe1be46a994272793',
    // dossier codes (Decision 20/2020 agency code, date, sequence)
    'dossier 000.00.14.H37-260302-0001',
  ])('keeps ids that only look like numbers: %s', (text) => {
    expect(scrub(text)).toBe(text);
  });

  it('redacts a number written next to an id it is not part of', () => {
    expect(scrub('8bcc437b-7651-4f0c-bb80-e7a899296118 079123456789')).toBe(`8bcc437b-7651-4f0c-bb80-e7a899296118 ${REDACTED}`);
  });
});
