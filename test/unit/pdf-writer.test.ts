import { readFileSync } from 'node:fs';
import { inflateSync } from 'node:zlib';
import { describe, expect, test } from 'vitest';
import { fromRoot } from '../../lib/paths.js';
import { PdfDocument, num, toUnicodeCMap } from '../../functions/adapters/pdf/document.js';
import { parseTrueType } from '../../functions/adapters/pdf/truetype.js';

const regularBytes = readFileSync(fromRoot('assets/fonts/DejaVuSans.ttf'));
const regular = parseTrueType(regularBytes);
const bold = parseTrueType(readFileSync(fromRoot('assets/fonts/DejaVuSans-Bold.ttf')));

/** Reads an sfnt's table directory and one glyph's outline bytes, apart from the code under test. */
function sfnt(bytes: Uint8Array) {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const tables = new Map<string, { offset: number; length: number; checksum: number }>();
  for (let i = 0; i < view.getUint16(4); i++) {
    const at = 12 + 16 * i;
    tables.set(String.fromCharCode(...bytes.subarray(at, at + 4)), { checksum: view.getUint32(at + 4), offset: view.getUint32(at + 8), length: view.getUint32(at + 12) });
  }
  const long = view.getInt16(tables.get('head')!.offset + 50) === 1;
  const loca = tables.get('loca')!.offset;
  const glyf = tables.get('glyf')!.offset;
  const outline = (gid: number): Uint8Array => {
    const [s, e] = long ? [view.getUint32(loca + 4 * gid), view.getUint32(loca + 4 * gid + 4)] : [view.getUint16(loca + 2 * gid) * 2, view.getUint16(loca + 2 * gid + 2) * 2];
    return bytes.subarray(glyf + s, glyf + e);
  };
  const sum = (from: number, length: number) => {
    const padded = new Uint8Array((length + 3) & ~3);
    padded.set(bytes.subarray(from, from + length));
    const words = new DataView(padded.buffer);
    let total = 0;
    for (let i = 0; i < padded.length; i += 4) total = (total + words.getUint32(i)) >>> 0;
    return total;
  };
  return { tables, outline, sum, numGlyphs: view.getUint16(tables.get('maxp')!.offset + 4) };
}

/** The objects of a PDF by number, read at the offsets its cross-reference table gives. */
function xrefObjects(pdf: Buffer): { objects: Map<number, string>; offsets: Map<number, number>; size: number } {
  const text = pdf.toString('latin1');
  const startxref = Number(/startxref\n(\d+)\n%%EOF\n$/.exec(text)![1]);
  expect(text.slice(startxref, startxref + 5)).toBe('xref\n');
  const [, first, count] = /^xref\n(\d+) (\d+)\n/.exec(text.slice(startxref))!;
  expect(first).toBe('0');
  const entries = text.slice(startxref).split('\n').slice(2, 2 + Number(count));
  expect(entries[0]).toBe('0000000000 65535 f ');
  const objects = new Map<number, string>();
  const offsets = new Map<number, number>();
  entries.slice(1).forEach((entry, i) => {
    expect(entry).toMatch(/^\d{10} 00000 n $/);
    const offset = Number(entry.slice(0, 10));
    const n = i + 1;
    expect(text.slice(offset, offset + `${n} 0 obj\n`.length)).toBe(`${n} 0 obj\n`);
    offsets.set(n, offset);
    objects.set(n, text.slice(offset, text.indexOf('\nendobj\n', offset)));
  });
  const size = Number(/\/Size (\d+)/.exec(text.slice(startxref))![1]);
  return { objects, offsets, size };
}

/** The decoded data of stream object n. */
const streamOf = (pdf: Buffer, n: number): Buffer => {
  const { objects, offsets } = xrefObjects(pdf);
  const length = Number(/\/Length (\d+)/.exec(objects.get(n)!)![1]);
  const data = pdf.indexOf('stream\n', offsets.get(n)!, 'latin1') + 'stream\n'.length;
  return inflateSync(pdf.subarray(data, data + length));
};

/** The decoded content stream of the first page. */
const contentOf = (pdf: Buffer): string => {
  const page = [...xrefObjects(pdf).objects.values()].find((o) => o.includes('/Type /Page '))!;
  return streamOf(pdf, Number(/\/Contents (\d+) 0 R/.exec(page)![1])).toString('latin1');
};

/** The number of the first object whose text matches. */
const objectNumber = (pdf: Buffer, pattern: RegExp): number => [...xrefObjects(pdf).objects].find(([, o]) => pattern.test(o))![0];

const a5 = { width: 419.53, height: 595.28, margin: 36 } as const;

describe('TrueType font reading (DejaVu Sans 2.37; ids and widths checked by hand against its glyph names)', () => {
  test('the cmap maps Vietnamese letters to their precomposed glyphs', () => {
    // Assess: uni1EC7, uni1EEF, Dcroat, dcroat, A, space; U+0378 is unassigned
    expect(['ệ', 'ữ', 'Đ', 'đ', 'A', ' '].map((c) => regular.glyphId(c.codePointAt(0)!))).toEqual([2501, 2541, 210, 211, 36, 3]);
    expect(regular.glyphId(0x378)).toBe(0);
  });

  test('widths, vertical metrics and names come from hmtx, hhea, head and name', () => {
    // Assess
    expect([2501, 36, 3].map((g) => regular.advance(g))).toEqual([1260, 1401, 651]);
    expect(bold.advance(36)).toBe(1585);
    expect([regular.unitsPerEm, regular.ascent, regular.descent, regular.lineGap]).toEqual([2048, 1901, -483, 0]);
    expect([regular.postscriptName, bold.postscriptName]).toEqual(['DejaVuSans', 'DejaVuSans-Bold']);
  });

  test("a composite glyph's components are found, nested ones too", () => {
    // Assess: ệ is built of 724, 2487 (itself built on e, 72) and 648; Đ of 146
    expect(regular.components(2501).sort((a, b) => a - b)).toEqual([72, 648, 724, 2487]);
    expect(regular.components(210)).toEqual([146]);
    expect(regular.components(36)).toEqual([]);
  });

  test('a subset keeps the outlines drawn and their components at their ids, and nothing else', () => {
    // Act
    const subset = sfnt(regular.subset([2501, 36]));
    const original = sfnt(regularBytes);

    // Assess
    expect([...subset.tables.keys()]).toEqual(['cvt ', 'fpgm', 'glyf', 'head', 'hhea', 'hmtx', 'loca', 'maxp', 'prep']);
    expect(subset.numGlyphs).toBe(original.numGlyphs);
    for (const gid of [0, 36, 2501, 72, 648, 724, 2487]) {
      expect(subset.outline(gid).length, `glyph ${gid}`).toBeGreaterThan(0);
      expect(Buffer.from(subset.outline(gid)).equals(Buffer.from(original.outline(gid))), `glyph ${gid}`).toBe(true);
    }
    expect(subset.outline(37).length).toBe(0);
    expect(subset.outline(2541).length).toBe(0);
    const whole = regular.subset([2501]);
    expect(whole.length).toBeLessThan(regularBytes.length / 4);
  });

  test("a subset's table checksums and head checkSumAdjustment are right", () => {
    // Act
    const bytes = regular.subset([2501, 2541, 210]);
    const font = sfnt(bytes);

    // Assess: each table sums to its directory checksum (head with its adjustment zeroed), the file to 0xB1B0AFBA
    for (const [tag, t] of font.tables) {
      const sum = font.sum(t.offset, t.length);
      const adjustment = new DataView(bytes.buffer, bytes.byteOffset).getUint32(font.tables.get('head')!.offset + 8);
      expect(tag === 'head' ? (sum - adjustment) >>> 0 : sum, tag).toBe(t.checksum);
    }
    expect(font.sum(0, bytes.length)).toBe(0xb1b0afba);
  });
});

describe('the PDF writer', () => {
  const render = (build: (doc: PdfDocument) => void): Buffer => {
    const doc = new PdfDocument({ ...a5, fonts: { regular, bold }, info: { title: 'Biên lai', author: 'Sở Tư pháp' } });
    build(doc);
    return Buffer.from(doc.toBytes());
  };

  test('every cross-reference entry points at its object, startxref at the table, /Size counts them', () => {
    // Act
    const pdf = render((d) => d.text([{ font: 'regular', size: 9, text: 'Người nộp: ' }, { font: 'bold', size: 9, text: 'Hoàng Thị Lan' }]));
    const { objects, size } = xrefObjects(pdf);

    // Assess: catalog, pages, info, two fonts of five objects each, a page and its contents
    expect(pdf.subarray(0, 9).toString('latin1')).toBe('%PDF-1.7\n');
    expect(objects.size).toBe(15);
    expect(size).toBe(16);
    expect(objects.get(1)).toMatch(/\/Type \/Catalog \/Pages 2 0 R/);
    expect(objects.get(2)).toMatch(/\/Count 1/);
    expect(objects.get(3)).toContain('/Title <FEFF0042006900EA006E0020006C00610069>');
  });

  test("the text is drawn as the font's glyph ids, NFC first, and the ToUnicode CMap gives it back", () => {
    // Act: "Đường ữ ệ" with ệ written decomposed (e, dot below, circumflex)
    const pdf = render((d) => d.text([{ font: 'regular', size: 9, text: 'Đường ữ e\u0323\u0302' }]));
    const content = contentOf(pdf);
    const type0 = xrefObjects(pdf).objects.get(objectNumber(pdf, /\/Subtype \/Type0/))!;
    const cmap = streamOf(pdf, Number(/\/ToUnicode (\d+) 0 R/.exec(type0)![1])).toString('latin1');

    // Assess: Đ 210, ư 0x1B0, ờ 0x1EDD, n, g, space, ữ 2541, space, ệ 2501
    const ids = /<([0-9A-F]+)> Tj/.exec(content)![1]!.match(/.{4}/g)!.map((h) => parseInt(h, 16));
    expect(ids).toEqual([...'Đường ữ ệ'].map((c) => regular.glyphId(c.codePointAt(0)!)));
    expect(ids[0]).toBe(210);
    expect(ids.slice(-3)).toEqual([2541, 3, 2501]);
    const map = new Map([...cmap.matchAll(/<([0-9A-F]{4})> <([0-9A-F]+)>/g)].map((m) => [parseInt(m[1]!, 16), String.fromCharCode(...m[2]!.match(/.{4}/g)!.map((h) => parseInt(h, 16)))]));
    expect(ids.map((g) => map.get(g)).join('')).toBe('Đường ữ ệ');
    expect(map.get(2501)).toBe('\u1EC7');
    expect(cmap).toContain('/CMapName /Adobe-Identity-UCS def');
  });

  test('/W gives each glyph drawn its hmtx advance in thousandths of an em', () => {
    // Act
    const pdf = render((d) => d.text([{ font: 'regular', size: 9, text: 'ệĐ' }]));
    const cid = [...xrefObjects(pdf).objects.values()].find((o) => o.includes('/Subtype /CIDFontType2'))!;

    // Assess: 1587 × 1000 / 2048 = 774.902…, 1260 × 1000 / 2048 = 615.234…
    expect(cid).toContain('/W [210 [774.902] 2501 [615.234]]');
    expect(cid).toContain('/CIDToGIDMap /Identity');
  });

  test('the subset font is embedded with its length and named with a six-letter tag', () => {
    // Act
    const pdf = render((d) => d.text([{ font: 'bold', size: 13, text: 'Biên lai thu phí, lệ phí' }]));
    const n = objectNumber(pdf, /\/Length1/);
    const file = xrefObjects(pdf).objects.get(n)!;
    const program = streamOf(pdf, n);

    // Assess
    expect(Number(/\/Length1 (\d+)/.exec(file)![1])).toBe(program.length);
    expect(sfnt(program).outline(bold.glyphId('ệ'.codePointAt(0)!)).length).toBeGreaterThan(0);
    expect(pdf.toString('latin1')).toMatch(/\/BaseFont \/[A-Z]{6}\+DejaVuSans-Bold /);
    expect(pdf.toString('latin1')).not.toContain('DejaVuSans '); // the regular font, never used, is not embedded
  });

  test('a line sits at the top margin plus its ascent, centred between the margins; the next a line height lower', () => {
    // Act
    const pdf = render((d) => d.text([{ font: 'regular', size: 10, text: 'A' }], { align: 'center' }).moveDown().text([{ font: 'regular', size: 9, text: 'A' }]));
    const content = contentOf(pdf);

    // Assess: x = 36 + (347.53 − 1401/2048 × 10) / 2; y = 595.28 − (36 + 1901/2048 × 10);
    // the next line two line heights (2384/2048 × 10 each) lower, at the left margin, 9 pt
    const positions = [...content.matchAll(/1 0 0 1 ([\d.]+) ([\d.]+) Tm/g)].map((m) => [Number(m[1]), Number(m[2])]);
    expect(positions[0]).toEqual([206.345, 549.998]);
    expect(positions[1]).toEqual([36, 527.645]);
  });

  test('a paragraph wider than the page wraps at spaces, and a full page goes on to the next', () => {
    // Act
    const words = 'Cấp bản sao trích lục hộ tịch, cấp bản sao có chứng thực từ bản chính giấy tờ, văn bản';
    const doc = new PdfDocument({ ...a5, fonts: { regular } });
    doc.text([{ font: 'regular', size: 9, text: words }]);
    const one = Buffer.from(doc.toBytes());
    for (let i = 0; i < 60; i++) doc.text([{ font: 'regular', size: 9, text: `Dòng ${i}` }]);
    const two = Buffer.from(doc.toBytes());

    // Assess: two lines, each within 347.53 pt, the first as long as it can be, broken at a space not drawn
    const lines = [...contentOf(one).matchAll(/<([0-9A-F]+)> Tj/g)].map((m) => m[1]!.match(/.{4}/g)!.map((h) => parseInt(h, 16)));
    expect(lines).toHaveLength(2);
    for (const line of lines) expect(line.reduce((w, g) => w + (regular.advance(g) * 9) / 2048, 0)).toBeLessThanOrEqual(347.53);
    const chars = [...words];
    const firstLine = chars.slice(0, lines[0]!.length).join('');
    expect(chars[lines[0]!.length]).toBe(' ');
    expect(lines[0]!.length + 1 + lines[1]!.length).toBe(chars.length);
    const nextWord = chars.slice(lines[0]!.length + 1).join('').split(' ')[0]!;
    expect(doc.widthOf('regular', 9, `${firstLine} ${nextWord}`)).toBeGreaterThan(347.53);
    expect(doc.widthOf('regular', 9, words)).toBeGreaterThan(347.53);
    expect(xrefObjects(two).objects.get(2)).toMatch(/\/Count 2/);
  });

  test('the same document gives the same bytes; other glyphs, another subset tag', () => {
    // Act
    const make = (text: string) => render((d) => d.text([{ font: 'regular', size: 9, text }]));

    // Assess
    expect(make('Đồng').equals(make('Đồng'))).toBe(true);
    const tag = (pdf: Buffer) => /\/BaseFont \/([A-Z]{6})\+/.exec(pdf.toString('latin1'))![1];
    expect(tag(make('Đồng'))).not.toBe(tag(make('Đông')));
  });

  test('a ToUnicode CMap lists at most 100 glyphs per bfchar block and leaves .notdef out', () => {
    // Act
    const cmap = toUnicodeCMap(new Map([[0, '?'], ...Array.from({ length: 150 }, (_, i) => [i + 1, String.fromCodePoint(0x41 + i)] as [number, string])]));

    // Assess
    expect(cmap.match(/(\d+) beginbfchar/g)).toEqual(['100 beginbfchar', '50 beginbfchar']);
    expect(cmap).not.toContain('<0000> <003F>');
    expect(cmap).toContain('<0001> <0041>');
  });
});
