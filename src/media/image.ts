/**
 * Image read/write with sharp. Images in memory are plain RGB buffers (util/geometry.ts's
 * RgbImage, the layout of decoded video frames), masks one byte a pixel (GrayImage).
 *
 *   const img = await readImage('node_modules/@vladmandic/face-api/demo/sample1.jpg');
 *   await writeImage('runs/x/face.png', img);      // atomic: temp file + rename
 *
 * Alpha is dropped on read (flattened onto black); EXIF orientation is applied.
 */
import { extname } from 'node:path';
import sharp from 'sharp';
import { UserError } from '../util/errors.ts';
import { addPngText } from './png-text.ts';
import { writeFileAtomic } from '../util/atomic-write.ts';
import type { GrayImage, RgbImage } from '../util/geometry.ts';
import { requireInputFile } from './probe.ts';

export function createImage(width: number, height: number, fill = 0): RgbImage {
  return { width, height, data: new Uint8Array(width * height * 3).fill(fill) };
}

export async function readImage(file: string): Promise<RgbImage> {
  requireInputFile(file, 'image');
  try {
    const { data, info } = await sharp(file).rotate().removeAlpha().toColourspace('srgb').raw().toBuffer({ resolveWithObject: true });
    if (info.channels !== 3) throw new Error(`expected 3 channels after conversion, got ${info.channels}`);
    return { width: info.width, height: info.height, data: new Uint8Array(data.buffer, data.byteOffset, data.length) };
  } catch (err) {
    throw new UserError(`cannot read image "${file}": ${err instanceof Error ? err.message : String(err)}`, 'pass a PNG, JPEG or WebP file that opens in an image viewer', { cause: err });
  }
}

const FORMATS = ['.png', '.jpg', '.jpeg', '.webp'] as const;

/** Encode an RGB image to PNG/JPEG/WebP bytes (format from the extension). */
async function encodeImage(img: RgbImage, ext: string, quality = 95): Promise<Buffer> {
  checkImage(img);
  const s = sharp(Buffer.from(img.data.buffer, img.data.byteOffset, img.data.length), { raw: { width: img.width, height: img.height, channels: 3 } });
  switch (ext.toLowerCase()) {
    case '.png':
      return s.png({ compressionLevel: 6 }).toBuffer();
    case '.jpg':
    case '.jpeg':
      return s.jpeg({ quality }).toBuffer();
    case '.webp':
      return s.webp({ quality }).toBuffer();
    default:
      throw new UserError(`expected an image file name ending in ${FORMATS.join('|')}, got "${ext || '(no extension)'}"`);
  }
}

/** Write an image atomically (format from the extension); `text`: PNG text chunks (a PNG only: the synthetic mark). */
export async function writeImage(file: string, img: RgbImage, opts: { quality?: number; text?: Record<string, string> } = {}): Promise<void> {
  const bytes = await encodeImage(img, extname(file), opts.quality);
  if (opts.text && extname(file).toLowerCase() !== '.png') throw new Error(`text chunks need a PNG, got "${file}"`);
  await writeFileAtomic(file, opts.text ? addPngText(bytes, opts.text) : bytes);
}

function checkImage(img: RgbImage): void {
  if (img.data.length !== img.width * img.height * 3) {
    throw new Error(`expected ${img.width}x${img.height}x3 = ${img.width * img.height * 3} bytes of RGB, got ${img.data.length}`);
  }
}

/** Write a one-channel (grey) image, e.g. a mask, as PNG, atomically. */
export async function writeGrayPng(file: string, img: GrayImage): Promise<void> {
  if (img.data.length !== img.width * img.height) throw new Error(`expected ${img.width * img.height} bytes of grey, got ${img.data.length}`);
  const bytes = await sharp(Buffer.from(img.data.buffer, img.data.byteOffset, img.data.length), { raw: { width: img.width, height: img.height, channels: 1 } })
    .toColourspace('b-w')
    .png({ compressionLevel: 6 })
    .toBuffer();
  await writeFileAtomic(file, bytes);
}

/** Read a one-channel (grey) image, e.g. a mask (the first channel of a colour image). */
export async function readGrayImage(file: string): Promise<GrayImage> {
  requireInputFile(file, 'mask image');
  try {
    const { data, info } = await sharp(file).extractChannel(0).raw().toBuffer({ resolveWithObject: true });
    return { width: info.width, height: info.height, data: new Uint8Array(data.buffer, data.byteOffset, data.length) };
  } catch (err) {
    throw new UserError(`cannot read mask image "${file}": ${err instanceof Error ? err.message : String(err)}`, 're-run the extraction to write it again', { cause: err });
  }
}
