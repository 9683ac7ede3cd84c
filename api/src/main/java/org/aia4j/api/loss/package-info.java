/**
 * Training losses over DJL tensors: next-token prediction, AIA and their sums. The api fixes
 * only what a loss receives ({@link org.aia4j.api.loss.LossInputs}) and returns, so losses and
 * trainers can be written and swapped independently.
 */
package org.aia4j.api.loss;
