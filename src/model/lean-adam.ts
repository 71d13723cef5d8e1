/**
 * Adam with tfjs's maths and state (same variable names, so checkpoints are interchangeable
 * with `tf.train.adam`'s), but each variable's update runs in its own tidy scope and its
 * gradient is freed as soon as it is applied. tfjs's stock Adam keeps every temporary of the
 * whole update alive until the end: on wasm's 4 GB the `original` net at batch 16 runs out of
 * memory with it.
 *
 *   const opt = new LeanAdamOptimizer(5e-5);      // then opt.minimize(f, false, vars) as usual
 */
import type { NamedAttrMap } from '@tensorflow/tfjs-core';
import { tf } from '../engine/tf.ts';
import { ADAM_UPDATE, type AdamUpdateAttrs } from '../engine/wasm-adam.ts';

interface AdamState {
  accBeta1: tf.Variable;
  accBeta2: tf.Variable;
  accumulatedFirstMoment: Array<{ originalName: string; variable: tf.Variable } | undefined>;
  accumulatedSecondMoment: Array<{ originalName: string; variable: tf.Variable } | undefined>;
}

/**
 * A variable's name without the suffix tfjs adds when a process builds a second network with the
 * same layer names (`enc_conv0/kernel_1`): the moments' names written to optimizer.json must not
 * depend on what the process trained before (a benchmark trains one pair after another).
 */
export const stableName = (name: string) => name.replace(/_\d+$/, '');

export class LeanAdamOptimizer extends tf.AdamOptimizer {
  constructor(learningRate: number, beta1 = 0.9, beta2 = 0.999, epsilon: number | null = null) {
    super(learningRate, beta1, beta2, epsilon ?? tf.backend().epsilon());
  }

  /**
   * tfjs restores beta^(t+1) with one pow(); a run that was never stopped has it from t float32
   * products, which differ in the last bit: restored the same way here, so that a resumed run
   * continues bit for bit as if it had not stopped.
   */
  override async setWeights(weightValues: Parameters<tf.AdamOptimizer['setWeights']>[0]): Promise<void> {
    await super.setWeights(weightValues);
    const st = this as unknown as AdamState;
    const t = this.iterations;
    let a1 = Math.fround(this.beta1);
    let a2 = Math.fround(this.beta2);
    for (let i = 0; i < t; i++) {
      a1 = Math.fround(a1 * Math.fround(this.beta1));
      a2 = Math.fround(a2 * Math.fround(this.beta2));
    }
    tf.tidy(() => {
      st.accBeta1.assign(tf.scalar(a1));
      st.accBeta2.assign(tf.scalar(a2));
    });
  }

  /** Change the step size (a schedule's warm-up and decay); the moments are kept. */
  setLearningRate(lr: number): void {
    this.learningRate = lr;
  }

  override applyGradients(variableGradients: tf.NamedTensorMap | Array<{ name: string; tensor: tf.Tensor }>): void {
    const st = this as unknown as AdamState;
    const list: Array<[string, tf.Tensor | undefined]> = Array.isArray(variableGradients) ? variableGradients.map((v) => [v.name, v.tensor]) : Object.entries(variableGradients);
    // the formula below in one pass where the backend has the kernel (wasm: src/engine/wasm-adam.ts)
    const fused = tf.getKernel(ADAM_UPDATE, tf.getBackend()) !== undefined;
    const oneMinusAccBeta1 = tf.sub(1, st.accBeta1);
    const oneMinusAccBeta2 = tf.sub(1, st.accBeta2);
    list.forEach(([name, gradient], i) => {
      const value = tf.engine().registeredVariables[name]!;
      st.accumulatedFirstMoment[i] ??= { originalName: `${stableName(name)}/m`, variable: tf.tidy(() => tf.zerosLike(value).variable(false)) };
      st.accumulatedSecondMoment[i] ??= { originalName: `${stableName(name)}/v`, variable: tf.tidy(() => tf.zerosLike(value).variable(false)) };
      if (gradient == null) return;
      const m = st.accumulatedFirstMoment[i]!.variable;
      const v = st.accumulatedSecondMoment[i]!.variable;
      if (fused) {
        tf.tidy(() => {
          const [w2, m2, v2] = tf.engine().runKernel(ADAM_UPDATE, { value, gradient, m, v, oneMinusAccBeta1, oneMinusAccBeta2 }, { beta1: this.beta1, beta2: this.beta2, epsilon: this.epsilon, learningRate: this.learningRate } satisfies AdamUpdateAttrs as unknown as NamedAttrMap) as tf.Tensor[];
          m.assign(m2!);
          v.assign(v2!);
          value.assign(w2!);
        });
        gradient.dispose();
        return;
      }
      tf.tidy(() => {
        const newM = tf.add(tf.mul(m, this.beta1), tf.mul(gradient, 1 - this.beta1));
        const newV = tf.add(tf.mul(v, this.beta2), tf.mul(tf.square(gradient), 1 - this.beta2));
        m.assign(newM);
        v.assign(newV);
        const step = tf.div(tf.div(newM, oneMinusAccBeta1), tf.add(tf.sqrt(tf.div(newV, oneMinusAccBeta2)), this.epsilon));
        value.assign(tf.add(tf.mul(step, -this.learningRate), value));
      });
      gradient.dispose();
    });
    tf.dispose([oneMinusAccBeta1, oneMinusAccBeta2]);
    tf.tidy(() => {
      st.accBeta1.assign(tf.mul(st.accBeta1, this.beta1));
      st.accBeta2.assign(tf.mul(st.accBeta2, this.beta2));
    });
    this.incrementIterations();
  }
}
