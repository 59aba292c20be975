import { crc32, deflateSync } from 'node:zlib';

/**
 * Tiny valid pictures built byte by byte (no binary fixtures in the repository). Each decodes as
 * a 1x1 (PNG, WebP) or 8x8 (JPEG) image in standard decoders.
 */

const ascii = (text: string) => Buffer.from(text, 'latin1');

function u32be(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n);
  return b;
}

function pngChunk(type: string, data: Buffer): Buffer {
  const typed = Buffer.concat([ascii(type), data]);
  return Buffer.concat([u32be(data.length), typed, u32be(crc32(typed))]);
}

/**
 * A 1x1 RGB PNG. `totalBytes` pads it to an exact size with a private ancillary chunk, which
 * decoders skip, so the result is still a valid PNG of that size.
 */
export function png(
  options: { rgb?: [number, number, number]; totalBytes?: number } = {},
): Uint8Array<ArrayBuffer> {
  const [r, g, b] = options.rgb ?? [51, 170, 119];
  const ihdr = Buffer.concat([u32be(1), u32be(1), Buffer.from([8, 2, 0, 0, 0])]);
  const chunks = [
    ascii('\x89PNG\r\n\x1a\n'),
    pngChunk('IHDR', ihdr),
    pngChunk('IDAT', deflateSync(Buffer.from([0, r, g, b]))),
    pngChunk('IEND', Buffer.alloc(0)),
  ];
  if (options.totalBytes !== undefined) {
    const padding = options.totalBytes - Buffer.concat(chunks).length - 12;
    if (padding < 0) throw new Error(`a PNG needs at least ${options.totalBytes - padding} bytes`);
    chunks.splice(2, 0, pngChunk('prVt', Buffer.alloc(padding)));
  }
  return new Uint8Array(Buffer.concat(chunks));
}

function jpegSegment(marker: number, payload: number[]): number[] {
  const length = payload.length + 2;
  return [0xff, marker, length >> 8, length & 0xff, ...payload];
}

/**
 * An 8x8 mid-grey baseline JPEG: one component, one block whose coefficients are all zero, coded
 * with one-symbol Huffman tables (DC "no difference" and AC "end of block", one bit each).
 */
export function jpeg(): Uint8Array<ArrayBuffer> {
  const oneSymbolTable = (tableClassAndId: number, symbol: number) => [
    tableClassAndId,
    1,
    ...new Array(15).fill(0),
    symbol,
  ];
  return new Uint8Array([
    0xff,
    0xd8,
    ...jpegSegment(0xe0, [...ascii('JFIF\0'), 1, 1, 0, 0, 1, 0, 1, 0, 0]),
    ...jpegSegment(0xdb, [0x00, ...new Array(64).fill(1)]),
    ...jpegSegment(0xc0, [8, 0, 8, 0, 8, 1, 1, 0x11, 0]),
    ...jpegSegment(0xc4, oneSymbolTable(0x00, 0x00)),
    ...jpegSegment(0xc4, oneSymbolTable(0x10, 0x00)),
    ...jpegSegment(0xda, [1, 1, 0x00, 0, 63, 0]),
    // Two bits "0" (DC category 0, then end of block), padded with ones.
    0x3f,
    0xff,
    0xd9,
  ]);
}

/** Packs values least significant bit first, as the WebP lossless bitstream does. */
function lsbFirst(fields: Array<[value: number, bits: number]>): number[] {
  const bytes: number[] = [];
  let bit = 0;
  for (const [value, width] of fields) {
    for (let i = 0; i < width; i++, bit++) {
      if (bit % 8 === 0) bytes.push(0);
      bytes[bytes.length - 1] |= ((value >> i) & 1) << (bit % 8);
    }
  }
  return bytes;
}

/**
 * A 1x1 lossless WebP (VP8L): no transform, no colour cache, and five one-symbol prefix codes,
 * so the single pixel's green, red, blue and alpha cost no bits at all.
 */
export function webp(): Uint8Array<ArrayBuffer> {
  const simpleCode = (
    symbol: number,
  ): Array<[number, number]> => [[1, 1], [0, 1], [1, 1], [symbol, 8]];
  const bitstream = [
    0x2f,
    ...lsbFirst([
      [0, 14],
      [0, 14],
      [0, 1],
      [0, 3], // width-1, height-1, alpha hint, version
      [0, 1],
      [0, 1],
      [0, 1], // no transform, no colour cache, no meta prefix codes
      ...simpleCode(0xaa),
      ...simpleCode(0x33),
      ...simpleCode(0x77),
      ...simpleCode(0xff), // G R B A
      ...simpleCode(0), // distance
    ]),
  ];
  if (bitstream.length % 2) bitstream.push(0);
  const chunk = [...ascii('VP8L'), ...u32le(bitstream.length), ...bitstream];
  return new Uint8Array([...ascii('RIFF'), ...u32le(4 + chunk.length), ...ascii('WEBP'), ...chunk]);
}

function u32le(n: number): number[] {
  return [n & 0xff, (n >> 8) & 0xff, (n >> 16) & 0xff, (n >>> 24) & 0xff];
}
