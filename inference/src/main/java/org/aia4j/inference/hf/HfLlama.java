package org.aia4j.inference.hf;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.aia4j.inference.io.SafeTensors;
import org.aia4j.inference.model.Architecture;
import org.aia4j.inference.model.ModelConfig;
import org.aia4j.inference.model.ModelTensors;

/**
 * A Hugging Face LLaMA-family checkpoint as an aia4j model of the LLaMA family: its {@link
 * ModelConfig} and its tensors under aia4j's names ({@link ModelTensors}), in float32.
 *
 * <p>Hugging Face's names map one to one (the decoder's prefix, {@code model.} for {@code
 * LlamaForCausalLM} and Emu3, is found from the token embedding's name):
 *
 * <pre>
 *   model.embed_tokens.weight                      embedding.token.weight
 *   model.layers.i.input_layernorm.weight          layers.i.attention_norm.weight
 *   model.layers.i.self_attn.{q,k,v}_proj.weight   layers.i.attention.{q,k,v}.weight
 *   model.layers.i.self_attn.o_proj.weight         layers.i.attention.out.weight
 *   model.layers.i.post_attention_layernorm.weight layers.i.mlp_norm.weight
 *   model.layers.i.mlp.{gate,up,down}_proj.weight  layers.i.mlp.{gate,up,down}.weight
 *   model.norm.weight                              final_norm.weight
 *   lm_head.weight                                 lm_head.weight (absent or ignored when tied)
 * </pre>
 *
 * Hugging Face's {@code q_proj}/{@code k_proj} rows are already in the rotate-half order aia4j's
 * rotary embedding uses, so nothing is permuted. Chameleon's per-head norms {@code
 * self_attn.{q,k}_norm.{weight,bias}} map to {@code attention.{q,k}_norm.*} when {@code
 * qk_layernorm} is true. A tensor that maps to nothing (a bias), or to a parameter the config does
 * not have, is refused with its name: the model would otherwise run without it and answer wrongly.
 * The VQ image model such checkpoints hold beside the decoder ({@code model.vqmodel.*}) is not read:
 * images go through an image tokenizer of their own ({@code aia import --image-tokenizer}). Old checkpoints' {@code rotary_emb.inv_freq} buffers are skipped: they are recomputed.
 */
public final class HfLlama {

  private static final Pattern LAYER =
      Pattern.compile("layers\\.(\\d+)\\.(input_layernorm|post_attention_layernorm|self_attn\\.([qkvo])_proj|"
          + "mlp\\.(gate|up|down)_proj)\\.weight");

  // Chameleon's per-head LayerNorms: layers.i.self_attn.{q,k}_norm.{weight,bias}.
  private static final Pattern HEAD_NORM = Pattern.compile("layers\\.(\\d+)\\.self_attn\\.([qk])_norm\\.(weight|bias)");

  private static final String EMBEDDING = "embed_tokens.weight";

  private static final Pattern VQ_MODEL = Pattern.compile("(^|\\.)vqmodel\\.");

  private HfLlama() {}

  /**
   * @param hf the checkpoint's configuration
   * @return the aia4j configuration of the same decoder: fully shared, seed 0, {@code maxLength}
   *     the checkpoint's {@code max_position_embeddings}
   * @throws IOException naming {@code config.json} for what aia4j cannot run yet
   */
  public static ModelConfig modelConfig(HfConfig hf) throws IOException {
    try {
      return new ModelConfig(hf.numHiddenLayers(), hf.hiddenSize(), hf.numAttentionHeads(), hf.intermediateSize(),
          hf.maxPositionEmbeddings(), hf.vocabSize(), 0, hf.numHiddenLayers(),
          Architecture.llama(hf.numKeyValueHeads(), hf.rmsNormEps(), hf.ropeTheta(), hf.tieWordEmbeddings())
              .withQkNorm(hf.qkLayernorm()));
    } catch (IllegalArgumentException e) {
      throw new IOException(hf.file() + ": " + e.getMessage(), e);
    }
  }

  /**
   * @param hfName a Hugging Face tensor name
   * @param prefix the decoder's prefix, e.g. {@code model.}
   * @return aia4j's name for it, or null when it maps to nothing
   */
  static String aiaName(String hfName, String prefix) {
    if (hfName.equals("lm_head.weight")) {
      return "lm_head.weight";
    }
    if (!hfName.startsWith(prefix)) {
      return null;
    }
    String name = hfName.substring(prefix.length());
    if (name.equals(EMBEDDING)) {
      return "embedding.token.weight";
    }
    if (name.equals("norm.weight")) {
      return "final_norm.weight";
    }
    Matcher norm = HEAD_NORM.matcher(name);
    if (norm.matches()) {
      return "layers." + norm.group(1) + ".attention." + norm.group(2) + "_norm." + norm.group(3);
    }
    Matcher m = LAYER.matcher(name);
    if (!m.matches()) {
      return null;
    }
    String layer = "layers." + m.group(1) + ".";
    String part = m.group(2);
    if (part.equals("input_layernorm")) {
      return layer + "attention_norm.weight";
    }
    if (part.equals("post_attention_layernorm")) {
      return layer + "mlp_norm.weight";
    }
    if (m.group(3) != null) {
      String projection = m.group(3);
      return layer + "attention." + (projection.equals("o") ? "out" : projection) + ".weight";
    }
    return layer + "mlp." + m.group(4) + ".weight";
  }

  /**
   * Reads every tensor the configuration needs, converted to float32, under aia4j's names.
   *
   * @param weights the checkpoint's weights
   * @param config the configuration from {@link #modelConfig}
   * @return the tensors in {@link ModelTensors#shapes} order
   * @throws IOException naming the file and the tensor: one missing, one of the wrong shape (both
   *     shapes), or one that maps to nothing aia4j runs
   */
  public static SafeTensors.Contents read(HfWeights weights, ModelConfig config) throws IOException {
    Map<String, SafeTensors.Tensor> tensors = new LinkedHashMap<>();
    Map<String, long[]> shapes = ModelTensors.shapes(config);
    for (Map.Entry<String, String> e : plan(weights, config).entrySet()) {
      tensors.put(e.getKey(), SafeTensors.Tensor.ofFloats(shapes.get(e.getKey()), weights.read(e.getValue())));
    }
    return new SafeTensors.Contents(Map.of(), tensors);
  }

  /**
   * Checks, from the headers alone, that the checkpoint holds exactly the tensors the
   * configuration needs, with their shapes, and says where each is.
   *
   * @return the Hugging Face name of each aia4j tensor, in {@link ModelTensors#shapes} order
   * @throws IOException as {@link #read}, before any value is read
   */
  public static Map<String, String> plan(HfWeights weights, ModelConfig config) throws IOException {
    String prefix = prefix(weights);
    Map<String, String> hfNames = new LinkedHashMap<>();
    TreeSet<String> unknown = new TreeSet<>();
    for (String hfName : weights.names()) {
      String ours = aiaName(hfName, prefix);
      if (ours == null) {
        // Recomputed rotary buffers, and the VQ image tokenizer Chameleon and Emu3 keep beside the
        // decoder (aia4j runs it as an image tokenizer of its own: aia import --image-tokenizer).
        if (!hfName.endsWith("rotary_emb.inv_freq") && !VQ_MODEL.matcher(hfName).find()) {
          unknown.add(hfName);
        }
      } else {
        hfNames.put(ours, hfName);
      }
    }
    if (!unknown.isEmpty()) {
      throw new IOException(weights.shardOf(unknown.first()) + ": tensor '" + unknown.first()
          + "' is not part of a LLaMA decoder aia4j can run (" + unknown.size()
          + " such tensors; biases are not supported)");
    }
    Map<String, long[]> shapes = ModelTensors.shapes(config);
    for (Map.Entry<String, String> e : hfNames.entrySet()) {
      boolean tiedCopy = e.getKey().equals("lm_head.weight") && config.architecture().tiedHead();
      if (!shapes.containsKey(e.getKey()) && !tiedCopy) {
        // A q_norm in a checkpoint whose config says qk_layernorm false, or a layer past num_hidden_layers.
        throw new IOException(weights.shardOf(e.getValue()) + ": tensor '" + e.getValue() + "' is not a parameter"
            + " of the model config.json describes (" + config.layers() + " layers, qk_layernorm "
            + config.architecture().qkNorm() + "); the config and the weights come from different models");
      }
    }
    Map<String, String> plan = new LinkedHashMap<>();
    for (Map.Entry<String, long[]> e : shapes.entrySet()) {
      String hfName = hfNames.get(e.getKey());
      if (hfName == null) {
        throw new IOException(weights.source() + ": the checkpoint has no tensor for '" + e.getKey() + "' (Hugging Face: '"
            + hfNameOf(e.getKey(), prefix) + "')");
      }
      weights.requireShape(hfName, e.getValue());
      plan.put(e.getKey(), hfName);
    }
    return plan;
  }

  private static String prefix(HfWeights weights) throws IOException {
    for (String name : weights.names()) {
      if (name.endsWith(EMBEDDING)) {
        return name.substring(0, name.length() - EMBEDDING.length());
      }
    }
    throw new IOException(weights.source() + ": no token embedding (a tensor named like 'model." + EMBEDDING + "')");
  }

  /** The Hugging Face name of an aia4j tensor, for messages. */
  private static String hfNameOf(String aiaName, String prefix) {
    if (aiaName.equals("lm_head.weight")) {
      return aiaName;
    }
    return prefix + aiaName
        .replace("embedding.token.weight", EMBEDDING)
        .replace("final_norm.weight", "norm.weight")
        .replace("attention_norm", "input_layernorm")
        .replace("mlp_norm", "post_attention_layernorm")
        .replace("attention.out.", "self_attn.o_proj.")
        .replaceAll("attention\\.([qk])_norm\\.", "self_attn.$1_norm.")
        .replaceAll("attention\\.([qkv])\\.", "self_attn.$1_proj.")
        .replaceAll("mlp\\.(gate|up|down)\\.", "mlp.$1_proj.");
  }
}
