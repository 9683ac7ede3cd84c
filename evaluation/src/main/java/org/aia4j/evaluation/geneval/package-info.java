/**
 * The GenEval-style text-to-image suite (Ghosh et al., github djghosh13/geneval) on the embedded
 * world: GenEval's metadata jsonl, its image folder layout, its six tags and its scoring rules,
 * with the world's shapes as object classes and {@link org.aia4j.evaluation.world.SceneAnalyser}
 * as the detector.
 *
 * <p>Entry points: {@link org.aia4j.evaluation.geneval.GenEvalSuite} (prompts),
 * {@link org.aia4j.evaluation.geneval.GenEvalMetadata} (evaluation_metadata.jsonl),
 * {@link org.aia4j.evaluation.geneval.GenEvalLayout} (image folders),
 * {@link org.aia4j.evaluation.geneval.GenEvalOracle} (images that satisfy their prompts) and
 * {@link org.aia4j.evaluation.geneval.GenEvalScorer} (results.jsonl and summary.json).
 */
package org.aia4j.evaluation.geneval;
