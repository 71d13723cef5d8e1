/**
 * Probe a video: size, frame rate as a rational, frame count, duration, rotation, audio streams.
 *
 *   const info = await probeVideo('samples/a.mp4');
 *   // { width: 512, height: 512, fps: { num: 25, den: 1 }, vfr: false, frameCount: 125, rotation: 0, audio: [...] }
 *
 * `width`/`height` are the displayed size (after rotation), which is what `decodeFrames` yields.
 * A variable-frame-rate stream (`vfr: true`, see vfr.ts) reports the constant rate it is decoded
 * at as `fps`, and an estimated frame count until `withExactFrameCount` counts the resampled frames.
 * Unreadable input (missing, truncated, not a video, no video stream) is a UserError naming the file.
 */
import { statSync } from 'node:fs';
import { execFile } from 'node:child_process';
import { UserError } from '../util/errors.ts';
import { fileArg, readyFfmpeg, requireFfmpeg, stderrTail, watched } from './ffmpeg.ts';
import { PACKET_SAMPLE, resampleFilter, vfrTiming } from './vfr.ts';

export interface Rational {
  num: number;
  den: number;
}

export interface AudioStreamInfo {
  index: number;
  codec: string;
  sampleRate: number;
  channels: number;
}

export interface VideoInfo {
  file: string;
  /** Displayed width (after rotation). */
  width: number;
  /** Displayed height (after rotation). */
  height: number;
  /** Width and height as stored in the stream, before rotation. */
  codedWidth: number;
  codedHeight: number;
  /** Frames per second as decoded: the stream's own rate, or for VFR the constant rate it is resampled to. */
  fps: Rational;
  /** Variable frame rate: decoding resamples it to `fps` (frame i is what the source shows at (i + ½) / fps). */
  vfr: boolean;
  /** Number of frames (for VFR: of the resampled stream); `frameCountExact` is false when estimated from duration × fps. */
  frameCount: number;
  frameCountExact: boolean;
  /** Seconds. */
  duration: number;
  /** Clockwise rotation the player applies: 0, 90, 180 or 270. */
  rotation: 0 | 90 | 180 | 270;
  videoCodec: string;
  pixelFormat: string;
  /** The HDR transfer (PQ `smpte2084`, HLG `arib-std-b67`) or wide-gamut primaries (`bt2020`) the stream is tagged with, else null (SDR). */
  hdr: string | null;
  videoStreamIndex: number;
  audio: AudioStreamInfo[];
}

function parseRational(s: string | undefined): Rational | null {
  if (!s) return null;
  const [a, b = '1'] = s.split('/');
  const num = Number(a);
  const den = Number(b);
  if (!Number.isFinite(num) || !Number.isFinite(den) || num <= 0 || den <= 0) return null;
  return { num, den };
}

export function rationalValue(r: Rational): number {
  return r.num / r.den;
}

/** Check a path names a readable, non-empty file; UserError otherwise. */
export function requireInputFile(file: string, what = 'video'): void {
  let size: number;
  try {
    const st = statSync(file);
    if (!st.isFile()) throw new UserError(`${what} "${file}" is not a file`, `pass the path of a ${what} file`);
    size = st.size;
  } catch (err) {
    if (err instanceof UserError) throw err;
    throw new UserError(`${what} file not found: "${file}"`, 'check the path (relative paths are from the current folder)');
  }
  if (size === 0) throw new UserError(`${what} "${file}" is empty (0 bytes)`, 'the file was not written completely: re-copy or re-create it');
}

function normaliseRotation(deg: number): 0 | 90 | 180 | 270 {
  // ffprobe's display matrix rotation is counter-clockwise (-90 means the player turns 90° clockwise).
  const cw = (((-Math.round(deg / 90) * 90) % 360) + 360) % 360;
  return cw as 0 | 90 | 180 | 270;
}

/** The parts of ffprobe's JSON that Janus reads. */
export interface ProbeStream {
  index: number;
  codec_type?: string;
  codec_name?: string;
  width?: number;
  height?: number;
  pix_fmt?: string;
  color_transfer?: string;
  color_primaries?: string;
  avg_frame_rate?: string;
  r_frame_rate?: string;
  time_base?: string;
  nb_frames?: string;
  duration?: string;
  sample_rate?: string;
  channels?: number;
  tags?: Record<string, string>;
  disposition?: Record<string, number>;
  side_data_list?: Array<{ side_data_type?: string; rotation?: number }>;
}
export interface ProbeData {
  streams?: ProbeStream[];
  format?: { duration?: string; format_name?: string; tags?: Record<string, string> };
}

/** Run ffprobe on a file; UserError naming the file when it is missing or unreadable. */
export async function probeStreams(file: string): Promise<ProbeData> {
  requireInputFile(file, 'media');
  return (await ffprobeJson(file, ['-show_streams', '-show_format'])) as ProbeData;
}

/**
 * ffprobe's JSON for `args` (its section and entry options) on `file`, under the watchdog; a file
 * it cannot read is a UserError naming the file (and `what` was being read of it).
 */
export function ffprobeJson(file: string, args: readonly string[], what?: string): Promise<Record<string, unknown>> {
  const w = watched(requireFfmpeg().ffprobe);
  return new Promise((resolve, reject) => {
    execFile(w.file, ['-v', 'error', '-print_format', 'json', ...args, fileArg(file)], { maxBuffer: 16 << 20, env: w.env }, (err, stdout, stderr) => {
      if (err) {
        reject(
          new UserError(
            `cannot read ${what ? `${what} of ` : ''}"${file}": ${stderrTail(stderr, 2) || err.message}`,
            'the file is truncated, damaged or not a video: re-copy it, or re-encode it with ffmpeg',
          ),
        );
        return;
      }
      try {
        resolve(JSON.parse(stdout) as Record<string, unknown>);
      } catch {
        reject(new Error(`ffprobe printed output that is not JSON for "${file}"`));
      }
    });
  });
}

function audioStreams(data: ProbeData): AudioStreamInfo[] {
  return (data.streams ?? [])
    .filter((s) => s.codec_type === 'audio')
    .map((s) => ({ index: Number(s.index), codec: String(s.codec_name), sampleRate: Number(s.sample_rate), channels: Number(s.channels) }));
}

/** The audio streams of any media file (video or audio alone). */
export async function probeAudio(file: string): Promise<AudioStreamInfo[]> {
  return audioStreams(await probeStreams(file));
}

/** Run ffprobe or ffmpeg (under the watchdog) and give its stdout; a failure is a UserError saying what could not be done. */
function runTool(bin: string, args: string[], what: string): Promise<string> {
  const w = watched(bin);
  return new Promise<string>((resolve, reject) => {
    execFile(w.file, args, { maxBuffer: 1 << 22, env: w.env }, (err, stdout, stderr) => (err ? reject(new UserError(`${what}: ${stderrTail(stderr) || err.message}`, 'the file is damaged: re-copy or re-encode it')) : resolve(stdout)));
  });
}

/**
 * The info with an exact frame count: as probed when the container records it, else counted
 * by ffprobe decoding the video stream (containers such as MKV or WebM record none, and
 * duration x fps is an estimate that can miss frames or invent them). A VFR stream's frames
 * are counted after resampling, with the very filter `decodeFrames` uses.
 */
export async function withExactFrameCount(info: VideoInfo): Promise<VideoInfo> {
  if (info.frameCountExact) return info;
  const what = `cannot count the frames of "${info.file}"`;
  let n: number;
  let out: string;
  if (info.vfr) {
    const args = ['-v', 'error', '-nostdin', '-nostats', '-i', fileArg(info.file), '-map', `0:${info.videoStreamIndex}`, '-an', '-sn', '-vf', resampleFilter(info.fps), '-fps_mode', 'passthrough', '-f', 'null', '-progress', 'pipe:1', '-'];
    out = await runTool(requireFfmpeg().ffmpeg, args, what);
    n = Number([...out.matchAll(/^frame=(\d+)$/gm)].at(-1)?.[1]);
  } else {
    const args = ['-v', 'error', '-count_frames', '-select_streams', `${info.videoStreamIndex}`, '-show_entries', 'stream=nb_read_frames', '-of', 'json', fileArg(info.file)];
    out = await runTool(requireFfmpeg().ffprobe, args, what);
    n = Number((JSON.parse(out) as { streams?: Array<{ nb_read_frames?: string }> }).streams?.[0]?.nb_read_frames);
  }
  if (!Number.isInteger(n) || n < 1) throw new UserError(`${what}: ${info.vfr ? 'ffmpeg' : 'ffprobe'} read ${JSON.stringify(out.trim().slice(-200))}`, 'the file is damaged: re-copy or re-encode it');
  return { ...info, frameCount: n, frameCountExact: true };
}

/** Presentation timestamps (in the stream's ticks) of the first PACKET_SAMPLE packets of a stream: demuxed, not decoded. */
async function samplePacketPts(file: string, streamIndex: number): Promise<number[]> {
  const args = ['-v', 'error', '-select_streams', `${streamIndex}`, '-read_intervals', `%+#${PACKET_SAMPLE}`, '-show_entries', 'packet=pts', '-of', 'csv=p=0', fileArg(file)];
  const out = await runTool(requireFfmpeg().ffprobe, args, `cannot read the frame timestamps of "${file}"`);
  // a packet with side data prints extra empty fields after its pts
  return out.split('\n').map((l) => Number(l.split(',')[0]?.trim() || NaN)).filter(Number.isFinite);
}

const HDR_TRANSFERS = ['smpte2084', 'arib-std-b67'];

function hdrOf(v: ProbeStream): string | null {
  if (v.color_transfer && HDR_TRANSFERS.includes(v.color_transfer)) return v.color_transfer;
  if (v.color_primaries?.startsWith('bt2020')) return v.color_primaries;
  return null;
}

/**
 * Refuse HDR / wide-gamut video: Janus works in 8-bit sRGB (BT.709), and converting PQ, HLG or
 * BT.2020 needs tone mapping it does not do (the faces would come out washed out). 10-bit SDR
 * video is fine: it is converted to 8-bit RGB when decoded.
 */
export function refuseHdr(info: VideoInfo): void {
  if (!info.hdr) return;
  throw new UserError(
    `"${info.file}" is HDR or wide-gamut video (${info.hdr}, ${info.pixelFormat}); Janus works in 8-bit SDR (BT.709) and does not tone-map`,
    `convert it to SDR first, e.g. ffmpeg -i "${info.file}" -vf zscale=t=linear:npl=100,format=gbrpf32le,zscale=p=bt709,tonemap=hable,zscale=t=bt709:m=bt709:r=tv,format=yuv420p -c:a copy sdr.mp4`,
  );
}

export async function probeVideo(file: string): Promise<VideoInfo> {
  requireInputFile(file, 'video');
  await readyFfmpeg(); // ffmpeg's version asked without blocking what runs beside the probe
  const data = await probeStreams(file);
  const streams = data.streams ?? [];
  const v = streams.find((s) => s.codec_type === 'video' && !(s.disposition && s.disposition.attached_pic));
  if (!v) {
    const kinds = streams.map((s) => s.codec_type).join(', ') || 'none';
    throw new UserError(`"${file}" has no video stream (streams found: ${kinds})`, 'pass a file with a video track');
  }
  const codedWidth = Number(v.width);
  const codedHeight = Number(v.height);
  if (!(codedWidth > 0 && codedHeight > 0)) {
    throw new UserError(`cannot read video "${file}": video stream has no frame size`, 'the file is damaged: re-copy or re-encode it');
  }
  const stated = parseRational(v.avg_frame_rate) ?? parseRational(v.r_frame_rate);
  if (!stated) throw new UserError(`cannot read video "${file}": no frame rate in the video stream`, 'the file is damaged: re-copy or re-encode it');

  const sideRotation = v.side_data_list?.find((s) => typeof s.rotation === 'number')?.rotation;
  const tagRotate = v.tags?.rotate !== undefined ? -Number(v.tags.rotate) : undefined;
  const rotation = normaliseRotation(Number(sideRotation ?? tagRotate ?? 0));
  const turned = rotation === 90 || rotation === 270;

  const duration = Number(v.duration) > 0 ? Number(v.duration) : Number(data.format?.duration) || 0;
  const tb = parseRational(v.time_base);
  const nb = Number(v.nb_frames);
  const pts = tb ? await samplePacketPts(file, Number(v.index)) : [];
  // fewer packets than the container lists, and fewer than asked for: the file ends early
  // (truncated), and its last intervals are holes, not a variable rate; decoding says so
  const endsEarly = Number.isInteger(nb) && nb > 0 && pts.length < Math.min(nb, PACKET_SAMPLE);
  const { vfr, fps } = endsEarly
    ? { vfr: false, fps: stated }
    : vfrTiming({
        rFrameRate: parseRational(v.r_frame_rate),
        avgFrameRate: parseRational(v.avg_frame_rate),
        duration: Number(v.duration) > 0 ? Number(v.duration) : 0,
        timeBase: tb ? tb.num / tb.den : 0,
        pts,
      });
  const frameCountExact = !vfr && Number.isInteger(nb) && nb > 0; // a VFR stream's frames are counted after resampling
  const frameCount = frameCountExact ? nb : Math.round(duration * rationalValue(fps));

  const audio = audioStreams(data);

  return {
    file,
    width: turned ? codedHeight : codedWidth,
    height: turned ? codedWidth : codedHeight,
    codedWidth,
    codedHeight,
    fps,
    vfr,
    frameCount,
    frameCountExact,
    duration,
    rotation,
    videoCodec: String(v.codec_name),
    pixelFormat: String(v.pix_fmt),
    hdr: hdrOf(v),
    videoStreamIndex: Number(v.index),
    audio,
  };
}
