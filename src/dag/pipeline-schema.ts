/**
 * The pipeline file format (YAML in `pipelines/`), as a zod schema: the one place its keys
 * and defaults are defined.
 *
 *   name: samples
 *   params: { size: 512 }                 # pipeline variables, overridable with --set size=256
 *   stages:
 *     - name: clip-${item}                # a template: one stage per item of `foreach`
 *       foreach: [a, b]
 *       kind: sample-clip
 *       params: { identity: "${item}", size: "${params.size}" }
 *       outputs: { video: "${item}.mp4" }   # relative to the run folder
 *     - name: probe-${item}
 *       foreach: [a, b]
 *       kind: probe-video
 *       inputs: { video: "@clip-${item}.video" }   # @stage.output refers to another stage's output
 *       outputs: { info: "${item}.json" }
 *
 * Inputs are files or folders (relative to the current folder) or `@stage.output`.
 * `resource` is `cpu` (default) or `gpu`; `persist` lists outputs kept when the stage fails
 * (checkpoints). `foreach` is a list, a `${params.x}` that holds one, or `{ file: manifest }`
 * (YAML, JSON or CSV with a header row).
 */
import { z } from 'zod';

const RESOURCES = ['cpu', 'gpu'] as const;
export type Resource = (typeof RESOURCES)[number];

export const ForeachSpec = z.union([z.array(z.unknown()), z.string(), z.object({ file: z.string().min(1) }).strict()]);

export const StageSpec = z
  .object({
    name: z.string().min(1),
    kind: z.string().min(1),
    description: z.string().optional(),
    resource: z.enum(RESOURCES).default('cpu'),
    params: z.record(z.string(), z.unknown()).default({}),
    inputs: z.record(z.string(), z.string()).default({}),
    outputs: z.record(z.string(), z.string()).default({}),
    persist: z.array(z.string()).default([]),
    foreach: ForeachSpec.optional(),
  })
  .strict();
export type StageSpec = z.infer<typeof StageSpec>;

export const PipelineSpec = z
  .object({
    version: z.literal(1).default(1),
    name: z
      .string()
      .regex(/^[A-Za-z0-9_.-]+$/, 'letters, digits, _ . - only')
      .refine((n) => n !== '.' && n !== '..', 'not . or .. (it names the run folder)'),
    description: z.string().optional(),
    params: z.record(z.string(), z.unknown()).default({}),
    stages: z.array(StageSpec).min(1),
  })
  .strict();
export type PipelineSpec = z.infer<typeof PipelineSpec>;

/** A stage after template expansion and interpolation, with references resolved. */
export interface ResolvedStage {
  name: string;
  kind: string;
  resource: Resource;
  params: Record<string, unknown>;
  /** Input name -> `{ file }` (absolute path) or `{ stage, output }`. */
  inputs: Record<string, { file: string } | { stage: string; output: string }>;
  /** Output name -> path relative to the run folder. */
  outputs: Record<string, string>;
  persist: string[];
  /** Stages this one reads from. */
  upstream: string[];
}

export interface Pipeline {
  file: string;
  name: string;
  /** sha256 of the pipeline file's text. */
  sourceHash: string;
  params: Record<string, unknown>;
  /** The --set overrides applied. */
  sets: string[];
  /** In a topological order. */
  stages: ResolvedStage[];
}
