/**
 * The engine-free evaluation API: {@link org.aia4j.evaluation.run.EvalSuites} creates the suites
 * asked for, {@link org.aia4j.evaluation.run.Evaluation} runs them on a model with {@link
 * org.aia4j.evaluation.run.EvalSettings}, and {@link org.aia4j.evaluation.run.EvalSummary} is
 * what a run found, written to and read from {@code summary.json} in one place each.
 */
package org.aia4j.evaluation.run;
