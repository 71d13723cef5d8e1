/**
 * Every stage kind a pipeline file may name. `src/stages/` wires domain code into the DAG;
 * the DAG itself (`src/dag/`) knows none of them.
 *
 *   stageRegistry.names()   // ['composite', 'extract', 'probe-video', 'sample-clip', 'swap', 'swap-metrics', 'swap-report', 'train']
 */
import { StageRegistry } from '../dag/stage-kind.ts';
import { compositeStage } from './composite.ts';
import { extractStage } from './extract.ts';
import { probeVideoStage } from './probe-video.ts';
import { sampleClipStage } from './sample-clip.ts';
import { swapMetricsStage } from './swap-metrics.ts';
import { swapReportStage } from './swap-report.ts';
import { swapStage } from './swap.ts';
import { trainStage } from './train.ts';

export const stageRegistry = new StageRegistry()
  .register(extractStage)
  .register(probeVideoStage)
  .register(sampleClipStage)
  .register(trainStage)
  .register(swapStage)
  .register(compositeStage)
  .register(swapMetricsStage)
  .register(swapReportStage);
