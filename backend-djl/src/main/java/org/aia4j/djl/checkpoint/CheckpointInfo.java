package org.aia4j.djl.checkpoint;

import com.fasterxml.jackson.databind.JsonNode;
import org.aia4j.djl.train.TrainingConfig;
import org.aia4j.inference.model.ModelConfig;

/**
 * What a checkpoint's {@code config.json} says: enough to rebuild the model and to reproduce the
 * run that made it.
 *
 * @param step optimisation steps behind the parameters
 * @param model the transformer's configuration
 * @param training the run's configuration (seeds included)
 * @param imageTokenizer the image tokenizer's kind (a registered provider name)
 * @param textTokenizer the text tokenizer's kind
 * @param data the training data's description
 * @param provenance library versions and the machine that wrote it
 * @param json the whole {@code config.json}
 */
public record CheckpointInfo(
    long step,
    ModelConfig model,
    TrainingConfig training,
    String imageTokenizer,
    String textTokenizer,
    String data,
    JsonNode provenance,
    JsonNode json) {}
