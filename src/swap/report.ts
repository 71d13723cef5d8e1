/**
 * The one-page report of a swap run (`report.html`): what was made and that it is synthetic,
 * the metrics, the loss curve, the training previews, original/swapped face pairs and links to
 * the videos. Images are embedded (data URLs), so the page can be mailed or archived alone.
 *
 *   const html = reportHtml({ title: 'demo', metrics, lossCurve: png, preview: png, pairs, links });
 */
import { clockMark } from './clock-mark.ts';
import type { QualityEntry } from '../train/quality-log.ts';
import type { SwapMetrics } from './metrics-file.ts';
import { SYNTHETIC_NOTICE } from './synthetic.ts';

export interface ReportInput {
  title: string;
  /** metrics.json as written by the swap-metrics stage (readMetrics). */
  metrics: SwapMetrics;
  lossCurve: Buffer | null;
  preview: Buffer | null;
  /** Final training losses. */
  losses: { iteration: number; lossA: number; lossB: number } | null;
  /** Original and swapped aligned faces (PNG bytes), and the target decoder's learned mask when the model has one. */
  pairs: Array<{ id: string; original: Buffer; swapped: Buffer; learnedMask?: Buffer | null }>;
  /** The quality probe's entries while training (the model's quality.jsonl). */
  quality?: QualityEntry[];
  /** The latent map (SVG) of A's, B's and the swapped faces, or null. */
  latentMap?: string | null;
  /** Label -> relative href. */
  links: Record<string, string>;
}

const esc = (s: unknown) => String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
const img = (png: Buffer, alt: string, width?: number) => `<img src="data:image/png;base64,${png.toString('base64')}" alt="${esc(alt)}"${width ? ` width="${width}"` : ''}>`;
const fmt = (v: unknown, digits = 3) => (typeof v === 'number' ? v.toFixed(digits) : v === null || v === undefined ? '–' : esc(v));

function distanceRows(label: string, r: SwapMetrics['identity']['swapped'] | undefined): string {
  if (!r) return `<tr><th>${esc(label)}</th><td colspan="3">not computed</td></tr>`;
  return `<tr><th>${esc(label)}</th><td>${fmt(r.toSource?.mean)} (median ${fmt(r.toSource?.median)})</td><td>${fmt(r.toTarget?.mean)} (median ${fmt(r.toTarget?.median)})</td><td>${r.closerToTarget == null ? '–' : `${(r.closerToTarget * 100).toFixed(0)}%`}</td></tr>`;
}

/**
 * Identity share and median distance to the target against iterations of training, as an SVG
 * (iterations: what a reproduction repeats; the minutes they took are marked as the clock's).
 */
function qualitySvg(q: readonly QualityEntry[], width = 480, height = 220): string {
  const pad = 34;
  const t1 = Math.max(...q.map((e) => e.iteration), 1);
  const sx = (it: number) => pad + (it / t1) * (width - 2 * pad);
  const sy = (v: number) => height - pad - Math.min(1, Math.max(0, v)) * (height - 2 * pad);
  const line = (vals: number[], colour: string) => `<polyline fill="none" stroke="${colour}" stroke-width="2" points="${q.map((e, i) => `${sx(e.iteration).toFixed(1)},${sy(vals[i]!).toFixed(1)}`).join(' ')}"/>`;
  const ref = `<line x1="${pad}" x2="${width - pad}" y1="${sy(0.6)}" y2="${sy(0.6)}" stroke="#999" stroke-dasharray="4 3"/><text x="${width - pad}" y="${sy(0.6) - 4}" font-size="10" text-anchor="end" fill="#666">0.6: same person</text>`;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}"><rect width="100%" height="100%" fill="#fff" stroke="#ccc"/>${ref}${line(
    q.map((e) => e.identityShare),
    '#2ca02c',
  )}${line(
    q.map((e) => e.medianToTarget),
    '#d62728',
  )}<text x="${pad}" y="16" font-size="12" fill="#2ca02c">identity share (closer to the target)</text><text x="${pad + 230}" y="16" font-size="12" fill="#d62728">median distance to the target</text><text x="${width / 2}" y="${height - 8}" font-size="11" text-anchor="middle">iterations of training (0 to ${t1}, in ${clockMark(fmt(Math.max(...q.map((e) => e.minutes)), 1), 'tspan')} minutes); y from 0 to 1</text></svg>`;
}

export function reportHtml(r: ReportInput): string {
  const m = r.metrics;
  const ids = m.identities ?? { source: 'a', target: 'b' };
  const recon = (['a', 'b'] as const)
    .filter((k) => k in m.reconstruction)
    .map((k) => [k, m.reconstruction[k]] as const)
    .map(([k, v]) => `<tr><th>${esc(k.toUpperCase())}</th><td>${v ? fmt(v.psnr, 2) : '–'}</td><td>${v ? fmt(v.ssim) : '–'}</td><td>${v ? v.faces : 0}</td></tr>`)
    .join('');
  const changed = m.identity?.identityChanged;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Janus swap report: ${esc(r.title)}</title>
<style>
body{font:15px/1.45 system-ui,sans-serif;max-width:980px;margin:2em auto;padding:0 1em;color:#222}
h1{margin-bottom:.2em} h2{margin-top:1.6em;border-bottom:1px solid #ddd}
.notice{background:#fff3cd;border:1px solid #e0c36c;padding:.6em 1em;border-radius:4px}
table{border-collapse:collapse;margin:.5em 0} th,td{border:1px solid #ccc;padding:.3em .7em;text-align:left}
.pairs{display:flex;flex-wrap:wrap;gap:12px} .pair{text-align:center;font-size:12px}
img{image-rendering:auto;max-width:100%}
</style></head><body>
<h1>Janus swap report: ${esc(r.title)}</h1>
<p class="notice"><strong>Synthetic media.</strong> ${esc(SYNTHETIC_NOTICE)}</p>
<p>Direction <strong>${esc(m.direction)}</strong>: identity ${esc(String(ids.source).toUpperCase())}'s video, with identity ${esc(String(ids.target).toUpperCase())}'s face.
Model: ${esc(m.model?.preset)} preset, iteration ${esc(m.model?.iteration)}, fingerprint <code>${esc(String(m.model?.fingerprint ?? '').slice(0, 16))}</code>.</p>
<p>${Object.entries(r.links).map(([k, v]) => `<a href="${esc(v)}">${esc(k)}</a>`).join(' · ')}</p>

<h2>Frames</h2>
<table><tr><th>total</th><th>swapped</th><th>passed through (no kept face)</th></tr>
<tr><td>${esc(m.frames?.total)}</td><td>${esc(m.frames?.swapped)}</td><td>${esc(m.frames?.skipped)}</td></tr></table>

<h2>Identity</h2>
<p>${esc(m.identity?.what ?? '')}. ${changed === null || changed === undefined ? '' : changed ? '<strong>The swap moved the faces towards the target identity.</strong>' : '<strong>The swapped faces still read as the source identity</strong> (train longer or a larger preset).'}</p>
<table><tr><th></th><th>distance to source (${esc(String(ids.source).toUpperCase())})</th><th>distance to target (${esc(String(ids.target).toUpperCase())})</th><th>closer to target</th></tr>
${distanceRows('swapped faces', m.identity?.swapped)}${distanceRows('original faces', m.identity?.originals)}</table>

<h2>Temporal stability</h2>
${
  m.flicker
    ? `<p>Flicker: <strong>${fmt(m.flicker.ratio, 2)}</strong>× the source's (${esc(m.flicker.what)}; over ${m.flicker.pairs} frame pairs: output ${fmt(m.flicker.output, 2)}, source ${fmt(m.flicker.source, 2)}).
1.0 is as stable as the source; above it the swapped face changes more from frame to frame than the real one did.</p>`
    : '<p>Flicker: not computed (the metrics stage was not given the source, output and mask videos).</p>'
}

<h2>Reconstruction</h2>
<p>${esc(m.reconstruction?.what ?? '')}.</p>
<table><tr><th>identity</th><th>PSNR (dB)</th><th>SSIM</th><th>faces</th></tr>${recon}</table>

<h2>Training</h2>
${r.losses ? `<p>Final losses at iteration ${r.losses.iteration}: A ${fmt(r.losses.lossA, 4)}, B ${fmt(r.losses.lossB, 4)}.</p>` : '<p>No loss log found.</p>'}
${r.lossCurve ? img(r.lossCurve, 'loss curve') : ''}
${
  r.quality?.length
    ? `<h3>Quality while it trained</h3><p>Measured on held-out faces every few minutes by face-api's recognition net, which no training loss uses.</p>${qualitySvg(r.quality)}
<table><tr><th>minutes</th><th>iteration</th><th>closer to target</th><th>median distance to target</th><th>to source</th><th>Mask-SSIM</th><th>reconstruction SSIM</th></tr>${r.quality
        .map((e) => `<tr>${clockMark(fmt(e.minutes, 1), 'td')}<td>${e.iteration}</td><td>${(e.identityShare * 100).toFixed(0)}%</td><td>${fmt(e.medianToTarget)}</td><td>${fmt(e.medianToSource)}</td><td>${fmt(e.maskSsim)}</td><td>${fmt(e.reconstructionSsim)}</td></tr>`)
        .join('')}</table>`
    : ''
}
${r.preview ? `<h3>Previews</h3><p>Rows: A original, A→A, A→B, then B original, B→B, B→A.</p>${img(r.preview, 'training preview')}` : ''}

<h2>Faces: original and swapped</h2>
${r.pairs.some((p) => p.learnedMask) ? '<p>Original, swapped, and the target decoder\'s learned mask (what <code>--mask learned</code> blends with).</p>' : ''}
<div class="pairs">${r.pairs.map((p) => `<div class="pair">${img(p.original, `original ${p.id}`, 128)}${img(p.swapped, `swapped ${p.id}`, 128)}${p.learnedMask ? img(p.learnedMask, `learned mask ${p.id}`, 128) : ''}<br>${esc(p.id)}</div>`).join('')}</div>
${r.latentMap ? `<h2>The latent space</h2><p>The encoder's latent vectors (<code>enc_latent</code>) of the source's faces, the target's faces and the source's faces after the swap, on their first two principal components. The shared encoder maps both people into one space; the swap changes the decoder, not the latent, so the swapped faces, encoded again, show where the target decoder's output lands.</p>${r.latentMap}` : ''}
</body></html>
`;
}
