/**
 * The learned judge of the Fashion-MNIST world: a small convolutional network, trained with DJL
 * on training-split cells, that says which class (or nothing) a scene's cell shows.
 */
package org.aia4j.djl.judge;
