export interface ImageFormat {
  extension: 'jpg' | 'png' | 'webp';
  contentType: 'image/jpeg' | 'image/png' | 'image/webp';
}

const ASCII = (text: string) => [...text].map((ch) => ch.charCodeAt(0));

// Signatures from the format specifications; `null` matches any byte (the RIFF chunk size).
const SIGNATURES: Array<[ImageFormat, Array<number | null>]> = [
  [{ extension: 'jpg', contentType: 'image/jpeg' }, [0xff, 0xd8, 0xff]],
  [{ extension: 'png', contentType: 'image/png' }, [0x89, ...ASCII('PNG'), 0x0d, 0x0a, 0x1a, 0x0a]],
  [
    { extension: 'webp', contentType: 'image/webp' },
    [...ASCII('RIFF'), null, null, null, null, ...ASCII('WEBP')],
  ],
];

const HEADER_BYTES = Math.max(...SIGNATURES.map(([, signature]) => signature.length));

/**
 * The image format the file's first bytes prove, or undefined. The declared content type and
 * the file name are the sender's word and are ignored.
 */
export async function detectImageFormat(file: Blob): Promise<ImageFormat | undefined> {
  const head = new Uint8Array(await file.slice(0, HEADER_BYTES).arrayBuffer());
  const match = SIGNATURES.find(([, signature]) =>
    head.length >= signature.length &&
    signature.every((byte, i) => byte === null || head[i] === byte)
  );
  return match?.[0];
}
