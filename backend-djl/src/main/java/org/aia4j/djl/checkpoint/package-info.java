/**
 * The aia4j checkpoint directory: {@code config.json} (model, tokenizers, training config, seeds,
 * versions), {@code model.safetensors}, {@code optimizer.safetensors}, {@code tokenizers/},
 * {@code metrics.jsonl} and {@code MANIFEST.sha256}; written atomically, verified on load.
 */
package org.aia4j.djl.checkpoint;
