/**
 * The one TensorFlow.js import of Janus. Every module takes `tf` from here, so there is one
 * engine instance and one place that decides which packages make it up.
 *
 *   import { tf } from '../engine/tf.ts';
 *   const y = tf.tidy(() => tf.add(x, 1));
 *   function f(x: tf.Tensor4D): tf.Scalar { … }
 *
 * Required, not imported: Node's ESM import of this CommonJS bundle first scans its source for
 * the names it exports (cjs-module-lexer, 300 ms of every process's start); face-api requires
 * the same module, so there is still one instance.
 */
import { createRequire } from 'node:module';
import type * as TF from '@tensorflow/tfjs';

export const tf = createRequire(import.meta.url)('@tensorflow/tfjs') as typeof TF;
// Janus explains its backend choice itself (`janus doctor`); silence tfjs's console advice.
tf.env().set('PROD', true);

/** The types Janus names as `tf.X` (a namespace of types only, merged with the value above). */
export declare namespace tf {
  type Rank = TF.Rank;
  type Tensor<R extends TF.Rank = TF.Rank> = TF.Tensor<R>;
  type Variable<R extends TF.Rank = TF.Rank> = TF.Variable<R>;
  type Scalar = TF.Scalar;
  type Tensor1D = TF.Tensor1D;
  type Tensor2D = TF.Tensor2D;
  type Tensor3D = TF.Tensor3D;
  type Tensor4D = TF.Tensor4D;
  type TensorInfo = TF.TensorInfo;
  type NamedTensorMap = TF.NamedTensorMap;
  type Shape = TF.Shape;
  type KernelBackend = TF.KernelBackend;
  type LayersModel = TF.LayersModel;
  type SymbolicTensor = TF.SymbolicTensor;
  type LayerVariable = TF.LayerVariable;
  type AdamOptimizer = TF.AdamOptimizer;
  namespace io {
    type IOHandler = TF.io.IOHandler;
    type ModelArtifacts = TF.io.ModelArtifacts;
    type SaveResult = TF.io.SaveResult;
    type WeightsManifestEntry = TF.io.WeightsManifestEntry;
  }
}
export type Tensor = TF.Tensor;
