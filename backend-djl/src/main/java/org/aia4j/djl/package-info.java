/** The reference unified transformer, its trainer and checkpoints on DJL/PyTorch. */
package org.aia4j.djl;
