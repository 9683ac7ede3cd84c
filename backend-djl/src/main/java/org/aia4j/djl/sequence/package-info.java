/**
 * The unified vocabulary ({@link org.aia4j.inference.sequence.TokenLayout}) and how samples become
 * training sequences ({@link org.aia4j.inference.sequence.SequenceBuilder}) and padded batches ({@link
 * org.aia4j.djl.sequence.BatchCollator}), with per-position roles for the AIA query/key sets.
 */
package org.aia4j.djl.sequence;
