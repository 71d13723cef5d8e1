/**
 * DeeperForensics-1.0's real-world perturbations (Jiang et al., CVPR 2020): seven types at five
 * levels each, with the published parameter of every level. The benchmark's options choose among
 * them and src/media/perturb.ts applies them; names and levels live here once.
 *
 *   PERTURBATION_LEVELS.GB[2]                 // 13: Gaussian blur's kernel at level 3
 *   perturbationLabel({ type: 'CS', level: 3 })  // 'CS:3', as DeeperForensics' meta files write it
 */
export const PERTURBATION_TYPES = ['CS', 'CC', 'BW', 'GNC', 'GB', 'JPEG', 'VC'] as const;
export type PerturbationType = (typeof PERTURBATION_TYPES)[number];

/** What each type does, for help texts and the dataset card. */
export const PERTURBATION_NAMES: Record<PerturbationType, string> = {
  CS: 'colour saturation',
  CC: 'colour contrast',
  BW: 'block-wise occlusion',
  GNC: 'Gaussian noise in colour',
  GB: 'Gaussian blur',
  JPEG: 'JPEG compression',
  VC: 'video compression',
};

/** The published parameter at levels 1..5 (index 0 = level 1). */
export const PERTURBATION_LEVELS: Record<PerturbationType, readonly number[]> = {
  CS: [0.4, 0.3, 0.2, 0.1, 0.0],
  CC: [0.85, 0.725, 0.6, 0.475, 0.35],
  BW: [16, 32, 48, 64, 80],
  GNC: [0.001, 0.002, 0.005, 0.01, 0.05],
  GB: [7, 9, 13, 17, 21],
  JPEG: [2, 3, 4, 5, 6],
  VC: [30, 32, 35, 38, 40],
};

export const PERTURBATION_LEVEL_NUMBERS = [1, 2, 3, 4, 5] as const;

export interface Perturbation {
  type: PerturbationType;
  level: number;
}

export function perturbationLabel(p: Perturbation): string {
  return `${p.type}:${p.level}`;
}
