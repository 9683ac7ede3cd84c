package org.aia4j.djl.infer;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.aia4j.api.data.TrainingData;
import org.aia4j.api.interaction.InteractionRoles;
import org.aia4j.api.model.InteractionProfile;
import org.aia4j.api.model.ModelInfo;
import org.aia4j.api.model.Task;
import org.aia4j.api.model.UnifiedModel;
import org.aia4j.djl.checkpoint.Checkpoint;
import org.aia4j.djl.checkpoint.CheckpointInfo;
import org.aia4j.djl.profile.InteractionProfiler;
import org.aia4j.inference.decode.Decoding;
import org.aia4j.inference.decode.DecodingModel;
import org.aia4j.inference.model.ModelConfig;
import org.aia4j.inference.sequence.Prompts;
import org.aia4j.inference.sequence.SequenceBuilder;

/**
 * A checkpoint of the reference transformer as a {@link UnifiedModel}: eager DJL inference with a
 * KV cache ({@link CachedDecoding}), batched over requests; the decode loops, sampling and
 * classifier-free guidance are {@link DecodingModel}'s, shared with every backend. Not thread-safe.
 */
public final class DjlUnifiedModel extends DecodingModel {
  private final Checkpoint.Loaded loaded;
  private final Path source;
  private final SequenceBuilder builder;

  /**
   * @param loaded the checkpoint's model and tokenizers; closed with this model
   * @param source the checkpoint's directory, for the name and provenance
   */
  public DjlUnifiedModel(Checkpoint.Loaded loaded, Path source) {
    this(loaded, source, null);
  }

  /** With another decoding, e.g. {@link RecomputedDecoding} as the tests' reference. */
  DjlUnifiedModel(Checkpoint.Loaded loaded, Path source, Decoding.Factory decodings) {
    super(new Prompts(loaded.layout(), loaded.text(), loaded.image()), loaded.model().config().maxLength(),
        decodings != null ? decodings : task -> new CachedDecoding(loaded.model(), loaded.manager(), task));
    this.loaded = loaded;
    this.source = Objects.requireNonNull(source, "source").toAbsolutePath();
    this.builder = new SequenceBuilder(loaded.layout(), loaded.text(), loaded.image());
  }

  /** Loads the checkpoint in {@code dir}. */
  public static DjlUnifiedModel load(Path dir) throws java.io.IOException {
    return new DjlUnifiedModel(Checkpoint.load(dir), dir);
  }

  /** @return the checkpoint behind this model */
  public Checkpoint.Loaded checkpoint() {
    return loaded;
  }

  @Override
  public String name() {
    Path file = source.getFileName();
    return file == null ? source.toString() : file.toString();
  }

  SequenceBuilder builder() {
    return builder;
  }

  // ---------------------------------------------------------------- inspection

  @Override
  public Optional<InteractionProfile> interactions(Task task, TrainingData data, int samples) {
    return interactions(InteractionRoles.of(task), data, samples);
  }

  @Override
  public Optional<InteractionProfile> interactions(InteractionRoles roles, TrainingData data, int samples) {
    checkOpen();
    if (data == null) {
      return Optional.empty();
    }
    InteractionProfiler profiler = new InteractionProfiler(loaded.model(), builder, loaded.manager());
    return Optional.of(profiler.profile(data, roles, samples, 32));
  }

  @Override
  public ModelInfo info() {
    CheckpointInfo info = loaded.info();
    ModelConfig config = info.model();
    Map<String, String> provenance = new LinkedHashMap<>();
    provenance.put("checkpoint", source.toString());
    provenance.put("step", Long.toString(info.step()));
    provenance.put("seed", Long.toString(info.training().seed()));
    provenance.put("model_seed", Long.toString(config.seed()));
    provenance.put("preset", info.training().preset());
    provenance.put("fork", Integer.toString(config.fork()));
    provenance.put("model", json(config));
    provenance.put("training", json(info.training()));
    provenance.put("data", info.data());
    provenance.put("image_tokenizer", loaded.image().toString());
    provenance.put("text_tokenizer", info.textTokenizer());
    info.provenance().fields().forEachRemaining(e -> provenance.put(e.getKey(), e.getValue().asText()));
    return new ModelInfo(name(), "djl", config.layers(), provenance);
  }

  private static String json(Object value) {
    try {
      return new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(value);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      return String.valueOf(value);
    }
  }

  @Override
  protected void release() {
    loaded.close();
  }
}
