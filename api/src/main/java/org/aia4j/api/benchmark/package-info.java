/**
 * Benchmarks: suites that run a {@link org.aia4j.api.model.UnifiedModel} on a dataset and score
 * it, batched, on a subset when asked, and recording every setting that produced the score.
 */
package org.aia4j.api.benchmark;
