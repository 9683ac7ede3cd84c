/**
 * Inference on checkpoints of the reference transformer: {@link
 * org.aia4j.djl.infer.DjlUnifiedModel} (answer and generate, batched, with a KV cache over
 * left-padded prompts, classifier-free guidance and constrained image decoding), found through
 * {@link org.aia4j.djl.infer.DjlModelProvider} and {@link org.aia4j.djl.infer.DjlBackendProvider}
 * under the name {@code djl}.
 */
package org.aia4j.djl.infer;
