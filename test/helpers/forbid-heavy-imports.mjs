// `node --import ./test/helpers/forbid-heavy-imports.mjs …`: importing or requiring tfjs, sharp,
// face-api or fluent-ffmpeg fails with "heavy import: NAME", so a test can show a code path never
// loads them (Janus requires tfjs rather than importing it: both ways are watched).
import Module, { register } from 'node:module';

const heavy = (specifier) => specifier.startsWith('@tensorflow/') || specifier.startsWith('@vladmandic/') || specifier === 'sharp' || specifier === 'fluent-ffmpeg';
const hook = `export async function resolve(specifier, context, next) {
  if ((${heavy.toString()})(specifier)) throw new Error('heavy import: ' + specifier);
  return next(specifier, context);
}`;
register(`data:text/javascript,${encodeURIComponent(hook)}`);

const load = Module._load;
Module._load = function (request, ...rest) {
  if (heavy(request)) throw new Error(`heavy import: ${request}`);
  return load.call(this, request, ...rest);
};
