/**
 * The MMBench-style suite: multiple-choice questions over world scenes, the MMBench TSV format,
 * CircularEval, VLMEvalKit's exact-matching answer extraction and the scorer.
 *
 * <p>Entry points: {@link org.aia4j.evaluation.mmbench.MmbenchSuite#writeCircularTsv} writes the
 * data a model answers, {@link org.aia4j.evaluation.mmbench.MmbenchPrompt#build} turns a row into
 * the text prompt, and {@link org.aia4j.evaluation.mmbench.MmbenchScorer#score} scores a
 * predictions file against the data.
 */
package org.aia4j.evaluation.mmbench;
