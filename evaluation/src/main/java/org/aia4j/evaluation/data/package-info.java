/**
 * Training data from the embedded world: {@link org.aia4j.evaluation.data.WorldTrainingData}
 * implements the {@link org.aia4j.api.data.TrainingData} SPI with MMBench-style questions, dense
 * captions ({@link org.aia4j.evaluation.data.WorldCaption}), short direct questions and GenEval-template
 * prompts over scenes that never show a held-out colour-shape combination, mixed as
 * {@link org.aia4j.evaluation.data.WorldDataOptions} says.
 */
package org.aia4j.evaluation.data;
