/**
 * Training data from files ("bring your own data"): LLaVA conversation JSON and generation JSON
 * Lines with image files, and pre-tokenized JSON Lines carrying image codes, read into a {@link
 * org.aia4j.api.data.TrainingData} ({@link org.aia4j.evaluation.files.FileTrainingData}); and the
 * writer that exports any training data in those formats ({@link
 * org.aia4j.evaluation.files.TrainingDataWriter}). The formats are described in docs/design.md,
 * section "Bring your own data".
 */
package org.aia4j.evaluation.files;
