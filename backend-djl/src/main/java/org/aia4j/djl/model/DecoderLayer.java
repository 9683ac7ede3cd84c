package org.aia4j.djl.model;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Parameter;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.LayerNorm;
import ai.djl.training.ParameterStore;
import org.aia4j.inference.model.ModelConfig;
import org.aia4j.loss.Scalars;

/**
 * One pre-norm decoder layer: {@code x + attention(norm(x))}, then {@code x + mlp(norm(x))}.
 * Causal multi-head self-attention with one fused {@code qkv} projection; MLP with GELU (erf).
 *
 * <p>Not a DJL block of its own: its parameters are registered on the owning {@link
 * UnifiedTransformer} under {@code layers.<i>.*} (or {@code gen_layers.<i>.*} for a forked model's
 * generation branch), so names stay flat and stable.
 */
final class DecoderLayer implements TransformerLayer {

  static final float LAYER_NORM_EPS = 1e-5f;

  private final int heads;
  private final int headDim;
  private final int width;
  private final float scale;
  private final Shape normShape;

  private final Parameter attentionNormWeight;
  private final Parameter attentionNormBias;
  private final Parameter qkvWeight;
  private final Parameter qkvBias;
  private final Parameter outWeight;
  private final Parameter outBias;
  private final Parameter mlpNormWeight;
  private final Parameter mlpNormBias;
  private final Parameter upWeight;
  private final Parameter upBias;
  private final Parameter downWeight;
  private final Parameter downBias;

  /**
   * @param prefix the parameter names' prefix, {@code layers.} or {@code gen_layers.}
   * @param index the layer's depth, from 0
   */
  DecoderLayer(String prefix, int index, ModelConfig config, ParameterFactory params) {
    this.width = config.width();
    this.heads = config.heads();
    this.headDim = config.headDim();
    this.scale = (float) (1.0 / Math.sqrt(headDim));
    this.normShape = new Shape(width);
    int mlp = config.mlpWidth();
    // GPT-2 initialisation: residual projections scaled down by sqrt(2 * layers).
    double std = UnifiedTransformer.INIT_STD;
    double residualStd = std / Math.sqrt(2.0 * config.layers());
    String p = prefix + index + ".";
    attentionNormWeight = params.gamma(p + "attention_norm.weight", width);
    attentionNormBias = params.beta(p + "attention_norm.bias", width);
    qkvWeight = params.weight(p + "attention.qkv.weight", new Shape(3L * width, width), std);
    qkvBias = params.bias(p + "attention.qkv.bias", 3L * width);
    outWeight = params.weight(p + "attention.out.weight", new Shape(width, width), residualStd);
    outBias = params.bias(p + "attention.out.bias", width);
    mlpNormWeight = params.gamma(p + "mlp_norm.weight", width);
    mlpNormBias = params.beta(p + "mlp_norm.bias", width);
    upWeight = params.weight(p + "mlp.up.weight", new Shape(mlp, width), std);
    upBias = params.bias(p + "mlp.up.bias", mlp);
    downWeight = params.weight(p + "mlp.down.weight", new Shape(width, mlp), residualStd);
    downBias = params.bias(p + "mlp.down.bias", width);
  }

  /** {@inheritDoc} The GPT family has learned positions: {@code rotary} is null and unused. */
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

    // Attention block.
    NDArray h =
        LayerNorm.layerNorm(
                x,
                normShape,
                ps.getValue(attentionNormWeight, device, training),
                ps.getValue(attentionNormBias, device, training),
                LAYER_NORM_EPS)
            .singletonOrThrow();
    NDArray qkv =
        Linear.linear(
                h, ps.getValue(qkvWeight, device, training), ps.getValue(qkvBias, device, training))
            .singletonOrThrow();
    // (B, T, 3W) -> (3, B, H, T, d): q, k, v per head.
    NDArray split = qkv.reshape(b, t, 3, heads, headDim).transpose(2, 0, 3, 1, 4);
    NDArray q = split.get(0);
    NDArray k = split.get(1);
    NDArray v = split.get(2);
    if (cache != null) {
      NDArray pastK = cache.keys(layerIndex);
      if (pastK != null) {
        k = pastK.concat(k, 2);
        v = cache.values(layerIndex).concat(v, 2);
      }
      cache.update(layerIndex, k, v);
    }
    // Scaling q (T x d) is cheaper than scaling the scores (T x S). The factor is an engine-owned
    // array, not a Java float: the backward pass reads it (see Scalars).
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
    NDArray attended =
        Linear.linear(
                context,
                ps.getValue(outWeight, device, training),
                ps.getValue(outBias, device, training))
            .singletonOrThrow();
    x = x.add(attended);

    // MLP block.
    h =
        LayerNorm.layerNorm(
                x,
                normShape,
                ps.getValue(mlpNormWeight, device, training),
                ps.getValue(mlpNormBias, device, training),
                LAYER_NORM_EPS)
            .singletonOrThrow();
    NDArray up =
        Linear.linear(
                h, ps.getValue(upWeight, device, training), ps.getValue(upBias, device, training))
            .singletonOrThrow();
    NDArray down =
        Linear.linear(
                Activation.gelu(up),
                ps.getValue(downWeight, device, training),
                ps.getValue(downBias, device, training))
            .singletonOrThrow();
    return x.add(down);
  }

  /** Creates and registers parameters on the owning block. */
  interface ParameterFactory {
    Parameter weight(String name, Shape shape, double std);

    Parameter bias(String name, long size);

    /** A scale initialised to ones. */
    Parameter gamma(String name, Shape shape);

    /** A shift initialised to zeros. */
    Parameter beta(String name, Shape shape);

    default Parameter gamma(String name, long size) {
      return gamma(name, new Shape(size));
    }

    default Parameter beta(String name, long size) {
      return beta(name, new Shape(size));
    }
  }
}
