/** The embedded synthetic world and the GenEval-style and MMBench-style benchmarks. */
package org.aia4j.evaluation;
