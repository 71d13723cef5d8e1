/** PNG text chunks: written after IHDR with valid CRCs, read back, and the image still decodes to the same pixels. */
import sharp from 'sharp';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { addPngText, readPngText } from '../../src/media/png-text.ts';

const test = suite('media/png-text');

test('entries read back; sharp decodes the marked PNG to the same pixels and sees the chunks', async () => {
  const raw = Buffer.from(Array.from({ length: 4 * 3 * 3 }, (_, i) => (i * 37) % 256));
  const png = await sharp(raw, { raw: { width: 4, height: 3, channels: 3 } }).png().toBuffer();
  const marked = addPngText(png, { Comment: 'SYNTHETIC: made by Janus', synthetic: 'true' });
  assert.equal(readPngText(marked), { Comment: 'SYNTHETIC: made by Janus', synthetic: 'true' });
  assert.equal(readPngText(png), {});
  const back = await sharp(marked).raw().toBuffer();
  assert.ok(back.equals(raw), 'pixels changed');
  const meta = await sharp(marked).metadata();
  assert.ok(meta.comments?.some((c) => c.keyword === 'synthetic' && c.text === 'true'), `sharp reads the chunk: ${JSON.stringify(meta.comments)}`);
});

test('a bad keyword or bytes that are not a PNG are refused; a damaged chunk fails its CRC', async () => {
  const png = await sharp(Buffer.alloc(12), { raw: { width: 2, height: 2, channels: 3 } }).png().toBuffer();
  assert.throws(() => addPngText(png, { '': 'x' }), /PNG text keyword/);
  assert.throws(() => addPngText(Buffer.from('not a png at all, not at all, really not'), { a: 'b' }), /expected PNG bytes/);
  const marked = addPngText(png, { synthetic: 'true' });
  const i = marked.indexOf('true');
  marked[i] = 'T'.charCodeAt(0);
  assert.throws(() => readPngText(marked), /bad CRC/);
});

test.run();
