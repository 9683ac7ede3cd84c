/**
 * The reference unified transformer on DJL/PyTorch: {@link org.aia4j.inference.model.ModelConfig},
 * {@link org.aia4j.djl.model.UnifiedTransformer} (forward with optional attention captures for
 * the AIA statistic, incremental decoding with a {@link org.aia4j.djl.model.KvCache}).
 */
package org.aia4j.djl.model;
