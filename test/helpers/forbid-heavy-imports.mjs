// `node --import ./test/helpers/forbid-heavy-imports.mjs …`: importing tfjs, sharp, face-api or
// fluent-ffmpeg fails with "heavy import: NAME", so a test can show a code path never loads them.
import { register } from 'node:module';

const hook = `export async function resolve(specifier, context, next) {
  if (specifier.startsWith('@tensorflow/') || specifier.startsWith('@vladmandic/') || specifier === 'sharp' || specifier === 'fluent-ffmpeg') {
    throw new Error('heavy import: ' + specifier);
  }
  return next(specifier, context);
}`;
register(`data:text/javascript,${encodeURIComponent(hook)}`);
