/**
 * The parts of a TrueType font (glyf outlines) a PDF needs to embed it: the character map, the advance
 * widths and vertical metrics, the PostScript name, and a subset that keeps only the outlines a document
 * draws. Glyph ids are kept as they are in the font, so the PDF's glyph ids (Identity-H, /CIDToGIDMap
 * /Identity) are the font's own; unused glyphs stay in the tables as empty outlines.
 */

export interface TrueTypeFont {
  readonly postscriptName: string;
  readonly unitsPerEm: number;
  readonly ascent: number;
  readonly descent: number;
  readonly lineGap: number;
  readonly capHeight: number;
  readonly italicAngle: number;
  readonly bbox: readonly [number, number, number, number];
  readonly numGlyphs: number;
  /** the glyph id the font maps a code point to, 0 (.notdef) when it has none */
  glyphId(codePoint: number): number;
  /** the advance width of a glyph, in font units */
  advance(glyphId: number): number;
  /** the glyphs a glyph's outline is made of (a composite's components, theirs in turn), itself excluded */
  components(glyphId: number): number[];
  /** a font file with the given glyphs' outlines (and their components'), every other glyph empty */
  subset(glyphIds: Iterable<number>): Uint8Array;
}

interface Table {
  readonly offset: number;
  readonly length: number;
}

/** tables a PDF viewer needs to draw and hint the glyphs of a CIDFontType2 (ISO 32000-1 9.9) */
const subsetTables = ['cvt ', 'fpgm', 'glyf', 'head', 'hhea', 'hmtx', 'loca', 'maxp', 'prep'] as const;

// composite glyph flags (OpenType glyf table)
const ARG_1_AND_2_ARE_WORDS = 0x0001;
const WE_HAVE_A_SCALE = 0x0008;
const MORE_COMPONENTS = 0x0020;
const WE_HAVE_AN_X_AND_Y_SCALE = 0x0040;
const WE_HAVE_A_TWO_BY_TWO = 0x0080;

export function parseTrueType(file: Uint8Array): TrueTypeFont {
  // a plain view: a Buffer's slice() shares memory, where Uint8Array's copies, and tables are copied before they are changed
  const bytes = new Uint8Array(file.buffer, file.byteOffset, file.byteLength);
  const data = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = data.getUint32(0);
  if (version !== 0x00010000 && version !== 0x74727565) throw new Error('not a TrueType font (glyf outlines)');
  const tables = new Map<string, Table>();
  const numTables = data.getUint16(4);
  for (let i = 0; i < numTables; i++) {
    const at = 12 + i * 16;
    const tag = String.fromCharCode(bytes[at]!, bytes[at + 1]!, bytes[at + 2]!, bytes[at + 3]!);
    tables.set(tag, { offset: data.getUint32(at + 8), length: data.getUint32(at + 12) });
  }
  const table = (tag: string): Table => {
    const t = tables.get(tag);
    if (!t) throw new Error(`font has no ${tag} table`);
    return t;
  };

  const head = table('head').offset;
  const unitsPerEm = data.getUint16(head + 18);
  const bbox = [data.getInt16(head + 36), data.getInt16(head + 38), data.getInt16(head + 40), data.getInt16(head + 42)] as const;
  const longLoca = data.getInt16(head + 50) === 1;
  const hhea = table('hhea').offset;
  const numberOfHMetrics = data.getUint16(hhea + 34);
  const numGlyphs = data.getUint16(table('maxp').offset + 4);
  const hmtx = table('hmtx').offset;
  const loca = table('loca').offset;
  const glyf = table('glyf');
  const os2 = tables.get('OS/2');
  const post = tables.get('post');

  const advance = (gid: number): number => data.getUint16(hmtx + 4 * Math.min(gid, numberOfHMetrics - 1));
  const glyphRange = (gid: number): readonly [number, number] =>
    longLoca ? [data.getUint32(loca + 4 * gid), data.getUint32(loca + 4 * gid + 4)] : [data.getUint16(loca + 2 * gid) * 2, data.getUint16(loca + 2 * gid + 2) * 2];

  const directComponents = (gid: number): number[] => {
    const [start, end] = glyphRange(gid);
    if (end <= start || data.getInt16(glyf.offset + start) >= 0) return [];
    const out: number[] = [];
    let at = glyf.offset + start + 10;
    for (;;) {
      const flags = data.getUint16(at);
      out.push(data.getUint16(at + 2));
      at += 4 + (flags & ARG_1_AND_2_ARE_WORDS ? 4 : 2);
      if (flags & WE_HAVE_A_SCALE) at += 2;
      else if (flags & WE_HAVE_AN_X_AND_Y_SCALE) at += 4;
      else if (flags & WE_HAVE_A_TWO_BY_TWO) at += 8;
      if (!(flags & MORE_COMPONENTS)) return out;
    }
  };
  const components = (gid: number): number[] => {
    const seen = new Set<number>();
    const visit = (g: number) => {
      for (const c of directComponents(g)) {
        if (seen.has(c) || c >= numGlyphs) continue;
        seen.add(c);
        visit(c);
      }
    };
    visit(gid);
    seen.delete(gid);
    return [...seen];
  };

  const glyphId = cmapLookup(data, table('cmap').offset);

  const subset = (wanted: Iterable<number>): Uint8Array => {
    const keep = new Set<number>([0]);
    for (const gid of wanted) {
      if (gid < 0 || gid >= numGlyphs) continue;
      keep.add(gid);
      for (const c of components(gid)) keep.add(c);
    }
    // glyf: the kept outlines at their ids, every other one empty; loca in the long format
    const kept = [...keep].sort((a, b) => a - b);
    const lengths = new Map(kept.map((g) => { const [s, e] = glyphRange(g); return [g, e - s] as const; }));
    let glyfSize = 0;
    for (const len of lengths.values()) glyfSize += (len + 3) & ~3;
    const newGlyf = new Uint8Array(glyfSize);
    const newLoca = new Uint8Array(4 * (numGlyphs + 1));
    const locaView = new DataView(newLoca.buffer);
    let written = 0;
    for (let g = 0; g < numGlyphs; g++) {
      locaView.setUint32(4 * g, written);
      const len = lengths.get(g);
      if (len) {
        const [s] = glyphRange(g);
        newGlyf.set(bytes.subarray(glyf.offset + s, glyf.offset + s + len), written);
        written += (len + 3) & ~3;
      }
    }
    locaView.setUint32(4 * numGlyphs, written);
    // hmtx: same layout, the metrics of unused glyphs zeroed (they compress to nothing)
    const hmtxTable = table('hmtx');
    const newHmtx = new Uint8Array(hmtxTable.length);
    for (const g of kept) {
      const at = g < numberOfHMetrics ? 4 * g : 4 * numberOfHMetrics + 2 * (g - numberOfHMetrics);
      const size = g < numberOfHMetrics ? 4 : 2;
      newHmtx.set(bytes.subarray(hmtxTable.offset + at, hmtxTable.offset + at + size), at);
    }
    // head: long loca offsets, checksum adjustment recomputed below
    const headTable = table('head');
    const newHead = bytes.slice(headTable.offset, headTable.offset + headTable.length);
    const headView = new DataView(newHead.buffer, newHead.byteOffset, newHead.byteLength);
    headView.setUint32(8, 0);
    headView.setInt16(50, 1);
    const out = new Map<string, Uint8Array>();
    for (const tag of subsetTables) {
      if (tag === 'glyf') out.set(tag, newGlyf);
      else if (tag === 'loca') out.set(tag, newLoca);
      else if (tag === 'hmtx') out.set(tag, newHmtx);
      else if (tag === 'head') out.set(tag, newHead);
      else {
        const t = tables.get(tag);
        // cvt, fpgm and prep are the hinting program: a font without hinting has none of them
        if (t) out.set(tag, bytes.slice(t.offset, t.offset + t.length));
      }
    }
    return writeFont(out);
  };

  return {
    postscriptName: postscriptName(bytes, data, tables.get('name')),
    unitsPerEm,
    ascent: data.getInt16(hhea + 4),
    descent: data.getInt16(hhea + 6),
    lineGap: data.getInt16(hhea + 8),
    // sCapHeight is in OS/2 version 2 and later; the ascent stands in for older fonts
    capHeight: os2 && data.getUint16(os2.offset) >= 2 ? data.getInt16(os2.offset + 88) : data.getInt16(hhea + 4),
    italicAngle: post ? data.getInt32(post.offset + 4) / 65536 : 0,
    bbox,
    numGlyphs,
    glyphId,
    advance,
    components,
    subset,
  };
}

/** A lookup in the font's Unicode character map: format 12 (full Unicode) if it has one, else format 4 (BMP). */
function cmapLookup(data: DataView, cmap: number): (codePoint: number) => number {
  const count = data.getUint16(cmap + 2);
  let format4: number | undefined;
  let format12: number | undefined;
  for (let i = 0; i < count; i++) {
    const platform = data.getUint16(cmap + 4 + i * 8);
    const encoding = data.getUint16(cmap + 6 + i * 8);
    const at = cmap + data.getUint32(cmap + 8 + i * 8);
    const unicode = platform === 0 || (platform === 3 && (encoding === 1 || encoding === 10));
    if (!unicode) continue;
    const format = data.getUint16(at);
    if (format === 12) format12 ??= at;
    else if (format === 4) format4 ??= at;
  }
  if (format12 !== undefined) {
    const at = format12;
    const groups = data.getUint32(at + 12);
    return (cp) => {
      let lo = 0;
      let hi = groups - 1;
      while (lo <= hi) {
        const mid = (lo + hi) >> 1;
        const g = at + 16 + mid * 12;
        if (cp < data.getUint32(g)) hi = mid - 1;
        else if (cp > data.getUint32(g + 4)) lo = mid + 1;
        else return data.getUint32(g + 8) + (cp - data.getUint32(g));
      }
      return 0;
    };
  }
  if (format4 === undefined) throw new Error('font has no Unicode character map');
  const at = format4;
  const segments = data.getUint16(at + 6) / 2;
  const ends = at + 14;
  const starts = ends + segments * 2 + 2;
  const deltas = starts + segments * 2;
  const rangeOffsets = deltas + segments * 2;
  return (cp) => {
    if (cp > 0xffff) return 0;
    let lo = 0;
    let hi = segments - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (data.getUint16(ends + mid * 2) < cp) lo = mid + 1;
      else hi = mid;
    }
    const start = data.getUint16(starts + lo * 2);
    if (cp < start || cp > data.getUint16(ends + lo * 2)) return 0;
    const delta = data.getInt16(deltas + lo * 2);
    const rangeOffset = data.getUint16(rangeOffsets + lo * 2);
    if (rangeOffset === 0) return (cp + delta) & 0xffff;
    const gid = data.getUint16(rangeOffsets + lo * 2 + rangeOffset + (cp - start) * 2);
    return gid === 0 ? 0 : (gid + delta) & 0xffff;
  };
}

/** nameID 6 (PostScript name), from the Windows (UTF-16BE) or Macintosh (Roman) record */
function postscriptName(bytes: Uint8Array, data: DataView, name: Table | undefined): string {
  if (name) {
    const count = data.getUint16(name.offset + 2);
    const strings = name.offset + data.getUint16(name.offset + 4);
    for (let i = 0; i < count; i++) {
      const r = name.offset + 6 + i * 12;
      if (data.getUint16(r + 6) !== 6) continue;
      const platform = data.getUint16(r);
      const length = data.getUint16(r + 8);
      const at = strings + data.getUint16(r + 10);
      const raw = bytes.subarray(at, at + length);
      const text = platform === 3 ? String.fromCharCode(...Array.from({ length: length / 2 }, (_, k) => (raw[2 * k]! << 8) | raw[2 * k + 1]!)) : String.fromCharCode(...raw);
      // a PDF name may not carry spaces or delimiters
      const clean = text.replace(/[^\x21-\x7e]|[()<>[\]{}/%#]/g, '');
      if (clean) return clean;
    }
  }
  return 'Font';
}

const checksum = (bytes: Uint8Array): number => {
  const padded = bytes.length % 4 ? new Uint8Array((bytes.length + 3) & ~3) : bytes;
  if (padded !== bytes) padded.set(bytes);
  const view = new DataView(padded.buffer, padded.byteOffset, padded.byteLength);
  let sum = 0;
  for (let i = 0; i < padded.length; i += 4) sum = (sum + view.getUint32(i)) >>> 0;
  return sum;
};

/** An sfnt file of the given tables: directory sorted by tag, each table 4-byte aligned, head's checksum adjustment set. */
function writeFont(tables: Map<string, Uint8Array>): Uint8Array {
  const tags = [...tables.keys()].sort();
  const headerSize = 12 + 16 * tags.length;
  let size = headerSize;
  for (const tag of tags) size += (tables.get(tag)!.length + 3) & ~3;
  const out = new Uint8Array(size);
  const view = new DataView(out.buffer);
  const entrySelector = Math.floor(Math.log2(tags.length));
  const searchRange = 2 ** entrySelector * 16;
  view.setUint32(0, 0x00010000);
  view.setUint16(4, tags.length);
  view.setUint16(6, searchRange);
  view.setUint16(8, entrySelector);
  view.setUint16(10, tags.length * 16 - searchRange);
  let at = headerSize;
  let headAt = 0;
  tags.forEach((tag, i) => {
    const body = tables.get(tag)!;
    const entry = 12 + i * 16;
    for (let k = 0; k < 4; k++) out[entry + k] = tag.charCodeAt(k);
    view.setUint32(entry + 4, checksum(body));
    view.setUint32(entry + 8, at);
    view.setUint32(entry + 12, body.length);
    if (tag === 'head') headAt = at;
    out.set(body, at);
    at += (body.length + 3) & ~3;
  });
  view.setUint32(headAt + 8, (0xb1b0afba - checksum(out)) >>> 0);
  return out;
}
