/**
 * Model architectures: the shared encoder and the two decoders, by preset. The one place their
 * numbers live.
 *
 *   const arch = modelArchitecture('small', 'transpose');
 *   arch.encoderFilters   // [32, 64, 128, 256]
 */
import { z } from 'zod';

export const PRESETS = ['tiny', 'small', 'original', 'large128'] as const;
export type PresetName = (typeof PRESETS)[number];
export const UPSAMPLES = ['transpose', 'upsampling2d', 'pixelshuffle'] as const;
export type Upsample = (typeof UPSAMPLES)[number];

export const Architecture = z
  .object({
    preset: z.enum(PRESETS),
    /** Input and output size in pixels (square). */
    inputSize: z.number().int(),
    /** Strided 5x5 convolutions of the encoder (each halves the size). */
    encoderFilters: z.array(z.number().int().positive()),
    /** Width of the dense bottleneck (the latent vector). */
    latent: z.number().int().positive(),
    /** Channels of the 4x4 map the bottleneck is reshaped to. */
    bottleneckChannels: z.number().int().positive(),
    /** Channels after the encoder's own upscale (4x4 -> 8x8). */
    encoderUpChannels: z.number().int().positive(),
    /** Upscale blocks of each decoder (each doubles the size). */
    decoderFilters: z.array(z.number().int().positive()),
    upsample: z.enum(UPSAMPLES),
    /** Each decoder also outputs a face mask (a 4th channel, faceswap's learn-mask); absent in older checkpoints: no. */
    learnMask: z.boolean().optional(),
  })
  .strict();
export type Architecture = z.infer<typeof Architecture>;

type PresetNumbers = Omit<Architecture, 'preset' | 'upsample' | 'learnMask'>;

/** faceswap's Original and smaller/larger relatives; every one maps inputSize -> 4x4 -> inputSize. */
const PRESET_TABLE: Readonly<Record<PresetName, PresetNumbers>> = Object.freeze({
  /** For tests and the CPU demo. */
  tiny: { inputSize: 64, encoderFilters: [16, 32, 64, 128], latent: 128, bottleneckChannels: 128, encoderUpChannels: 64, decoderFilters: [32, 16, 8] },
  /** The training issue's `small`: 64 px, conv 32-64-128-256, dense 256, 4x4x256 up to 8x8x128, decoders 64-32-16. */
  small: { inputSize: 64, encoderFilters: [32, 64, 128, 256], latent: 256, bottleneckChannels: 256, encoderUpChannels: 128, decoderFilters: [64, 32, 16] },
  /** faceswap's Original: 64 px, conv 128-256-512-1024, dense 1024, 4x4x1024 up to 8x8x512, decoders 256-128-64. */
  original: { inputSize: 64, encoderFilters: [128, 256, 512, 1024], latent: 1024, bottleneckChannels: 1024, encoderUpChannels: 512, decoderFilters: [256, 128, 64] },
  /** 128 px: one more stage on each side. */
  large128: { inputSize: 128, encoderFilters: [64, 128, 256, 512, 1024], latent: 512, bottleneckChannels: 512, encoderUpChannels: 256, decoderFilters: [128, 64, 32, 16] },
});

export function modelArchitecture(preset: PresetName, upsample: Upsample = 'transpose', learnMask = false): Architecture {
  return Architecture.parse({ preset, upsample, ...PRESET_TABLE[preset], ...(learnMask ? { learnMask } : {}) });
}
