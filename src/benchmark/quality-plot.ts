/**
 * The dataset card's per-fake quality: a Markdown table of each measure's spread over the fakes
 * (n, min, median, mean, max), Mask-SSIM beside the figures Celeb-DF published for other
 * datasets, and a PNG of one histogram per measure (drawn as SVG, rendered by sharp; the same
 * records give the same bytes).
 *
 *   const records = fakes.map((f) => ({ identityShare: 0.9, identityMargin: 0.21, maskSsim: 0.87, flicker: 1.1, framesSwappedShare: 0.96 }));
 *   qualityTable(records)                 // '| measure | n | min | median | mean | max |\n…'
 *   await qualityPlotPng(records)         // PNG bytes, QUALITY_PLOT_SIZE.width x .height
 *   qualityPlotSvg(records)               // the same picture as SVG text
 */
import sharp from 'sharp';

/** One fake's quality; null where it was not measured. */
export interface FakeQuality {
  /** Share of its swapped faces closer to the target identity than to the source (0..1). */
  identityShare: number | null;
  /** Median descriptor distance to the source minus to the target: > 0 reads as the target. */
  identityMargin: number | null;
  /** Celeb-DF's Mask-SSIM against the video it was made from (metrics.json maskSsim.mean). */
  maskSsim: number | null;
  /** Frame-to-frame change inside the mask, output over source (1 = as stable as the source). */
  flicker: number | null;
  /** Frames swapped over the frames it could swap (a partial fake: those inside its spans; 0..1). */
  framesSwappedShare: number | null;
}
export type QualityField = keyof FakeQuality;

interface FieldSpec {
  key: QualityField;
  /** Row and panel title. */
  label: string;
  /** The x axis's label. */
  axis: string;
  /** A fixed x range, or null: fitted to the values (widened to hold `include`). */
  domain: readonly [number, number] | null;
  include: readonly number[];
  /** Dashed vertical lines with a label. */
  marks: ReadonlyArray<{ at: number; label: string }>;
}

/** Mask-SSIM of published deepfake datasets: Li et al., Celeb-DF, CVPR 2020, Table 2 (average Mask-SSIM per dataset). */
export const PUBLISHED_MASK_SSIM = [
  { dataset: 'FaceForensics++ Deepfakes (FF-DF)', short: 'FF++ DF', value: 0.81 },
  { dataset: 'DFDC preview', short: 'DFDC-p', value: 0.84 },
  { dataset: 'Celeb-DF', short: 'Celeb-DF', value: 0.92 },
] as const;
export const PUBLISHED_MASK_SSIM_SOURCE = 'Y. Li, X. Yang, P. Sun, H. Qi, S. Lyu, "Celeb-DF: A Large-scale Challenging Dataset for DeepFake Forensics", CVPR 2020, Table 2 (average Mask-SSIM of each dataset)';

/** The measures, in table and plot order. */
export const QUALITY_FIELDS: readonly FieldSpec[] = [
  { key: 'identityShare', label: 'identity share', axis: 'share of faces closer to the target', domain: [0, 1], include: [], marks: [] },
  { key: 'identityMargin', label: 'identity margin', axis: 'distance to source - to target', domain: null, include: [0], marks: [{ at: 0, label: '0' }] },
  { key: 'maskSsim', label: 'Mask-SSIM', axis: 'SSIM inside the mask vs the source', domain: null, include: [0.8, 1], marks: PUBLISHED_MASK_SSIM.map((p) => ({ at: p.value, label: `${p.short} ${p.value}` })) },
  { key: 'flicker', label: 'flicker ratio', axis: 'change in the mask, output / source', domain: null, include: [1], marks: [{ at: 1, label: '1 = source' }] },
  { key: 'framesSwappedShare', label: 'frames swapped share', axis: 'frames swapped / frames it could swap', domain: [0, 1], include: [], marks: [] },
];

export interface Summary {
  n: number;
  min: number;
  median: number;
  mean: number;
  max: number;
}

/** n, min, median (the mean of the middle two for an even n), mean and max of the finite values; null when there are none. */
export function summarise(values: ReadonlyArray<number | null>): Summary | null {
  const v = values.filter((x): x is number => x !== null && Number.isFinite(x)).sort((a, b) => a - b);
  const n = v.length;
  if (!n) return null;
  const median = n % 2 ? v[(n - 1) / 2]! : (v[n / 2 - 1]! + v[n / 2]!) / 2;
  return { n, min: v[0]!, median, mean: v.reduce((s, x) => s + x, 0) / n, max: v[n - 1]! };
}

const f3 = (x: number) => x.toFixed(3);

/** The Markdown: the measures' table, then Mask-SSIM beside the published datasets. */
export function qualityTable(records: readonly FakeQuality[]): string {
  const rows = QUALITY_FIELDS.map((f) => {
    const s = summarise(records.map((r) => r[f.key]));
    return s ? `| ${f.label} | ${s.n} | ${f3(s.min)} | ${f3(s.median)} | ${f3(s.mean)} | ${f3(s.max)} |` : `| ${f.label} | 0 | not measured | | | |`;
  });
  const m = summarise(records.map((r) => r.maskSsim));
  const ours = m
    ? [`| this dataset, mean over ${m.n} fakes | ${f3(m.mean)} |`, `| this dataset, median over ${m.n} fakes | ${f3(m.median)} |`]
    : ['| this dataset | not measured |'];
  return `| measure | n | min | median | mean | max |
|---|---|---|---|---|---|
${rows.join('\n')}

Mask-SSIM beside published datasets:

| dataset | Mask-SSIM |
|---|---|
${[...ours, ...PUBLISHED_MASK_SSIM.map((p) => `| ${p.dataset} | ${p.value.toFixed(2)} |`)].join('\n')}

Published values: ${PUBLISHED_MASK_SSIM_SOURCE}.
This dataset's Mask-SSIM is the same measure (each fake's SSIM against the frames it was made
from, inside the replaced region, averaged over frames; src/swap/mask-ssim.ts) with its own
window and crop, so the comparison holds in kind, not to the second decimal.
`;
}

/** The PNG's size in pixels. */
export const QUALITY_PLOT_SIZE = { width: 960, height: 560 } as const;
const COLS = 3;
const PANEL = { width: 320, height: 260 };
const TOP = 40;
const FONT = 'DejaVu Sans, Arial, sans-serif';
const BINS = 10;

/** A step of 1, 2 or 5 times a power of ten, about span / parts. */
function niceStep(span: number, parts: number): number {
  const raw = span / parts;
  const p = 10 ** Math.floor(Math.log10(raw));
  const m = raw / p;
  return (m <= 1 ? 1 : m <= 2 ? 2 : m <= 5 ? 5 : 10) * p;
}

/** The x range of a field's panel: fixed, or the values' (and `include`'s) range rounded out to nice steps. */
function domainOf(f: FieldSpec, values: readonly number[]): [number, number] {
  if (f.domain) return [f.domain[0], f.domain[1]];
  let lo = Math.min(...values, ...f.include);
  let hi = Math.max(...values, ...f.include);
  if (hi - lo < 1e-9) {
    lo -= 0.5;
    hi += 0.5;
  }
  const step = niceStep(hi - lo, 5);
  const l = Math.floor(lo / step + 1e-9) * step;
  const h = Math.ceil(hi / step - 1e-9) * step;
  return [l, h > l ? h : l + step];
}

/** Tick labels without float noise: as many decimals as the step needs. */
function tickLabel(x: number, step: number): string {
  const d = Math.max(0, -Math.floor(Math.log10(step) + 1e-9));
  return (Math.abs(x) < step * 1e-6 ? 0 : x).toFixed(d);
}

/** One panel: a histogram of the field's values, its axes, ticks, marks and labels, at (x0, y0). */
function panel(f: FieldSpec, records: readonly FakeQuality[], x0: number, y0: number): string {
  const values = records.map((r) => r[f.key]).filter((x): x is number => x !== null && Number.isFinite(x));
  const s = summarise(values);
  const left = x0 + 48;
  const right = x0 + PANEL.width - 16;
  const top = y0 + 46 + 12 * f.marks.length; // room for the marks' labels
  const bottom = y0 + PANEL.height - 52;
  const title = `<text x="${x0 + PANEL.width / 2}" y="${y0 + 18}" font-size="14" font-weight="bold" text-anchor="middle">${f.label}${s ? ` (n = ${s.n})` : ''}</text>`;
  const frame = `<rect x="${x0 + 4}" y="${y0 + 2}" width="${PANEL.width - 8}" height="${PANEL.height - 4}" fill="none" stroke="#ddd"/>`;
  if (!s) return `${frame}${title}<text x="${x0 + PANEL.width / 2}" y="${y0 + PANEL.height / 2}" font-size="13" fill="#888" text-anchor="middle">not measured</text>`;
  const [lo, hi] = domainOf(f, values);
  const X = (v: number) => left + ((v - lo) / (hi - lo)) * (right - left);
  const counts = new Array<number>(BINS).fill(0);
  for (const v of values) counts[Math.min(BINS - 1, Math.max(0, Math.floor(((v - lo) / (hi - lo)) * BINS)))]!++;
  const peak = Math.max(...counts);
  const yStep = Math.max(1, Math.ceil(niceStep(peak, 4)));
  const yMax = Math.ceil(peak / yStep) * yStep;
  const Y = (c: number) => bottom - (c / yMax) * (bottom - top);
  const r1 = (v: number) => v.toFixed(1);
  const bars = counts
    .map((c, i) => (c ? `<rect x="${r1(X(lo + ((hi - lo) * i) / BINS) + 1)}" y="${r1(Y(c))}" width="${r1((right - left) / BINS - 2)}" height="${r1(bottom - Y(c))}" fill="#4c78a8"/>` : ''))
    .join('');
  const xStep = niceStep(hi - lo, 5);
  const xTicks: string[] = [];
  for (let k = Math.ceil(lo / xStep - 1e-9); k * xStep <= hi + xStep * 1e-9; k++) {
    const x = r1(X(k * xStep));
    xTicks.push(`<line x1="${x}" x2="${x}" y1="${bottom}" y2="${bottom + 4}" stroke="#333"/><text x="${x}" y="${bottom + 16}" font-size="11" text-anchor="middle">${tickLabel(k * xStep, xStep)}</text>`);
  }
  const yTicks: string[] = [];
  for (let c = 0; c <= yMax; c += yStep) {
    const y = r1(Y(c));
    yTicks.push(`<line x1="${left - 4}" x2="${left}" y1="${y}" y2="${y}" stroke="#333"/><text x="${left - 7}" y="${(Y(c) + 4).toFixed(1)}" font-size="11" text-anchor="end">${c}</text>`);
  }
  // labels of the marks stacked above the plot, one line each, so that close values do not overlap
  const marks = f.marks
    .filter((m) => m.at >= lo && m.at <= hi)
    .map((m, i) => {
      const x = r1(X(m.at));
      const ly = top - 6 - (f.marks.length - 1 - i) * 12;
      const anchor = X(m.at) > (left + right) / 2 ? 'end' : 'start';
      return `<line x1="${x}" x2="${x}" y1="${ly + 2}" y2="${bottom}" stroke="#d62728" stroke-width="1.2" stroke-dasharray="4 3"/><text x="${x}" y="${ly}" font-size="10" fill="#d62728" text-anchor="${anchor}">${m.label}</text>`;
    })
    .join('');
  const axes = `<line x1="${left}" x2="${right}" y1="${bottom}" y2="${bottom}" stroke="#333"/><line x1="${left}" x2="${left}" y1="${top}" y2="${bottom}" stroke="#333"/>`;
  const labels = `<text x="${(left + right) / 2}" y="${bottom + 34}" font-size="11" text-anchor="middle">${f.axis}</text><text x="${x0 + 14}" y="${(top + bottom) / 2}" font-size="11" text-anchor="middle" transform="rotate(-90 ${x0 + 14} ${(top + bottom) / 2})">fakes</text><text x="${x0 + PANEL.width / 2}" y="${y0 + 34}" font-size="11" fill="#555" text-anchor="middle">median ${f3(s.median)}, mean ${f3(s.mean)}</text>`;
  return `${frame}${title}${bars}${axes}${xTicks.join('')}${yTicks.join('')}${marks}${labels}`;
}

/** The histograms as one SVG document (QUALITY_PLOT_SIZE). */
export function qualityPlotSvg(records: readonly FakeQuality[]): string {
  const { width, height } = QUALITY_PLOT_SIZE;
  const panels = QUALITY_FIELDS.map((f, i) => panel(f, records, (i % COLS) * PANEL.width, TOP + Math.floor(i / COLS) * PANEL.height)).join('\n');
  // the sixth cell: what the red lines are
  const nx = (QUALITY_FIELDS.length % COLS) * PANEL.width + 16;
  const ny = TOP + Math.floor(QUALITY_FIELDS.length / COLS) * PANEL.height + 40;
  const note = [
    'Red dashed lines: references. In Mask-SSIM,',
    'the average Mask-SSIM published per dataset',
    '(Li et al., Celeb-DF, CVPR 2020, Table 2):',
    ...PUBLISHED_MASK_SSIM.map((p) => `  ${p.dataset}: ${p.value.toFixed(2)}`),
    '',
    'Each bar counts fakes; null values are left out.',
  ]
    .map((t, i) => `<text x="${nx}" y="${ny + i * 17}" font-size="12" fill="#333" xml:space="preserve">${t}</text>`)
    .join('');
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="${FONT}">
<rect width="100%" height="100%" fill="#fff"/>
<text x="${width / 2}" y="26" font-size="17" font-weight="bold" text-anchor="middle">Quality of the ${records.length} fakes</text>
${panels}
${note}
</svg>`;
}

/** The histograms as PNG bytes (QUALITY_PLOT_SIZE); the same records give the same bytes. */
export async function qualityPlotPng(records: readonly FakeQuality[]): Promise<Buffer> {
  return sharp(Buffer.from(qualityPlotSvg(records)), { density: 72 }).flatten({ background: '#ffffff' }).png({ compressionLevel: 9, adaptiveFiltering: false, palette: false }).toBuffer();
}
