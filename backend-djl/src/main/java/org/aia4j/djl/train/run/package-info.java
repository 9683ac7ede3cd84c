/**
 * Training runs as typed values: a run is its {@link org.aia4j.djl.train.TrainingConfig} (the spec
 * recorded in the checkpoint), and {@link org.aia4j.djl.train.run.TrainingRuns} starts, resumes or
 * reuses it, for {@code aia train} and the loops alike.
 */
package org.aia4j.djl.train.run;
