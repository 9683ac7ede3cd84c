package org.aia4j.djl.model;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Parameter;
import ai.djl.nn.core.Linear;
import ai.djl.training.ParameterStore;
import org.aia4j.inference.model.Architecture;
import org.aia4j.inference.model.ModelConfig;
import org.aia4j.loss.Scalars;

/**
 * One LLaMA decoder layer, as Hugging Face's {@code LlamaDecoderLayer} computes it: {@code x +
 * o(attention(rope(q(n)), rope(k(n)), v(n)))} with {@code n = RMSNorm(x)}, then {@code x +
 * down(silu(gate(n)) * up(n))} with {@code n = RMSNorm(x)}. Grouped-query attention: query head
 * {@code h} reads key/value head {@code h / (heads / kvHeads)}. No biases anywhere.
 *
 * <p>The cache holds the {@code kvHeads} rotated keys and the values, not their per-query-head
 * copies; captures hold keys per query head, so the interaction statistic reads them as it reads
 * the GPT family's.
 *
 * <p>With {@link Architecture#qkNorm()} (Chameleon's {@code
 * qk_layernorm}), each head's queries and keys are LayerNorm-ed over the head's width, then scaled
 * and shifted by that head's own weight and bias, before the rotary embedding: {@code q =
 * rope(LN(q(n)) * w_q[h] + b_q[h])}, as {@code ChameleonAttention} computes it.
 */
final class LlamaDecoderLayer implements TransformerLayer {

  private final int heads;
  private final int kvHeads;
  private final int headDim;
  private final int width;
  private final float scale;
  private final double eps;

  private final Parameter attentionNormWeight;
  private final Parameter qWeight;
  private final Parameter kWeight;
  private final Parameter vWeight;
  private final Parameter outWeight;
  private final Parameter mlpNormWeight;
  private final Parameter gateWeight;
  private final Parameter upWeight;
  private final Parameter downWeight;
  private final Parameter qNormWeight;
  private final Parameter qNormBias;
  private final Parameter kNormWeight;
  private final Parameter kNormBias;

  /**
   * @param prefix the parameter names' prefix, {@code layers.} or {@code gen_layers.}
   * @param index the layer's depth, from 0
   */
  LlamaDecoderLayer(String prefix, int index, ModelConfig config, DecoderLayer.ParameterFactory params) {
    this.width = config.width();
    this.heads = config.heads();
    this.kvHeads = config.kvHeads();
    this.headDim = config.headDim();
    this.scale = (float) (1.0 / Math.sqrt(headDim));
    this.eps = config.architecture().normEps();
    int mlp = config.mlpWidth();
    long kv = (long) kvHeads * headDim;
    double std = UnifiedTransformer.INIT_STD;
    double residualStd = std / Math.sqrt(2.0 * config.layers());
    String p = prefix + index + ".";
    attentionNormWeight = params.gamma(p + "attention_norm.weight", width);
    qWeight = params.weight(p + "attention.q.weight", new Shape(width, width), std);
    kWeight = params.weight(p + "attention.k.weight", new Shape(kv, width), std);
    vWeight = params.weight(p + "attention.v.weight", new Shape(kv, width), std);
    outWeight = params.weight(p + "attention.out.weight", new Shape(width, width), residualStd);
    mlpNormWeight = params.gamma(p + "mlp_norm.weight", width);
    gateWeight = params.weight(p + "mlp.gate.weight", new Shape(mlp, width), std);
    upWeight = params.weight(p + "mlp.up.weight", new Shape(mlp, width), std);
    downWeight = params.weight(p + "mlp.down.weight", new Shape(width, mlp), residualStd);
    if (config.architecture().qkNorm()) {
      qNormWeight = params.gamma(p + "attention.q_norm.weight", new Shape(heads, headDim));
      qNormBias = params.beta(p + "attention.q_norm.bias", new Shape(heads, headDim));
      kNormWeight = params.gamma(p + "attention.k_norm.weight", new Shape(kvHeads, headDim));
      kNormBias = params.beta(p + "attention.k_norm.bias", new Shape(kvHeads, headDim));
    } else {
      qNormWeight = null;
      qNormBias = null;
      kNormWeight = null;
      kNormBias = null;
    }
  }

  @Override
  public NDArray forward(
      ParameterStore ps,
      Device device,
      boolean training,
      NDArray x,
      NDArray causalBias,
      Rotary rotary,
      int layerIndex,
      KvCache cache,
      Capture capture,
      NDList[] captured) {
    long b = x.getShape().get(0);
    long t = x.getShape().get(1);

    NDArray h = rmsNorm(x, ps.getValue(attentionNormWeight, device, training), eps);
    NDArray q = project(h, ps.getValue(qWeight, device, training)).reshape(b, t, heads, headDim);
    NDArray k = project(h, ps.getValue(kWeight, device, training)).reshape(b, t, kvHeads, headDim);
    if (qNormWeight != null) {
      q = headNorm(q, ps.getValue(qNormWeight, device, training), ps.getValue(qNormBias, device, training));
      k = headNorm(k, ps.getValue(kNormWeight, device, training), ps.getValue(kNormBias, device, training));
    }
    q = q.transpose(0, 2, 1, 3);
    k = k.transpose(0, 2, 1, 3);
    NDArray v = project(h, ps.getValue(vWeight, device, training)).reshape(b, t, kvHeads, headDim).transpose(0, 2, 1, 3);
    q = rotary.apply(q);
    k = rotary.apply(k);
    if (cache != null) {
      NDArray pastK = cache.keys(layerIndex);
      if (pastK != null) {
        k = pastK.concat(k, 2);
        v = cache.values(layerIndex).concat(v, 2);
      }
      cache.update(layerIndex, k, v);
    }
    k = perQueryHead(k);
    v = perQueryHead(v);
    NDArray scores = q.mul(Scalars.like(q, scale)).matMul(k.transpose(0, 1, 3, 2)).add(causalBias);
    NDArray probs = scores.softmax(-1);
    if (capture.probabilities()) {
      captured[0].add(probs);
    }
    if (capture.queryKeys()) {
      captured[1].add(q);
      captured[2].add(k);
    }
    NDArray context = probs.matMul(v).transpose(0, 2, 1, 3).reshape(b, t, width);
    x = x.add(project(context, ps.getValue(outWeight, device, training)));

    h = rmsNorm(x, ps.getValue(mlpNormWeight, device, training), eps);
    NDArray gate = project(h, ps.getValue(gateWeight, device, training));
    NDArray up = project(h, ps.getValue(upWeight, device, training));
    // silu(g) = g sigmoid(g); DJL's swish would multiply by a Java float (see Scalars).
    NDArray activated = gate.mul(Activation.sigmoid(gate)).mul(up);
    return x.add(project(activated, ps.getValue(downWeight, device, training)));
  }

  /** {@code (B, kvHeads, S, d)} -> {@code (B, heads, S, d)}: each key/value head serves its group. */
  private NDArray perQueryHead(NDArray kv) {
    if (kvHeads == heads) {
      return kv;
    }
    Shape s = kv.getShape();
    long group = heads / kvHeads;
    return kv.expandDims(2)
        .broadcast(new Shape(s.get(0), kvHeads, group, s.get(2), s.get(3)))
        .reshape(s.get(0), heads, s.get(2), s.get(3));
  }

  private static NDArray project(NDArray x, NDArray weight) {
    return Linear.linear(x, weight).singletonOrThrow();
  }

  /**
   * Chameleon's per-head LayerNorm: {@code (x - mean) / sqrt(var + eps) * weight + bias} over the
   * last axis of {@code (B, T, heads, headDim)}, with a weight and a bias per head.
   */
  private static NDArray headNorm(NDArray x, NDArray weight, NDArray bias) {
    NDArray centred = x.sub(x.mean(new int[] {-1}, true));
    NDArray variance = centred.square().mean(new int[] {-1}, true);
    NDArray normed = centred.div(variance.add(Scalars.like(variance, Architecture.QK_NORM_EPS)).sqrt());
    return normed.mul(weight).add(bias);
  }

  /**
   * RMSNorm (arXiv 1910.07467) as LLaMA applies it: {@code w * x / sqrt(mean(x^2) + eps)} over the
   * last axis.
   */
  static NDArray rmsNorm(NDArray x, NDArray weight, double eps) {
    NDArray meanSquare = x.square().mean(new int[] {-1}, true);
    return x.div(meanSquare.add(Scalars.like(meanSquare, eps)).sqrt()).mul(weight);
  }
}
