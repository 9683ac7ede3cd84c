/**
 * Parameter files: the safetensors format ({@link org.aia4j.inference.io.SafeTensors}, independent of
 * DJL) and a model's parameters in it ({@link org.aia4j.djl.io.ModelWeights}).
 */
package org.aia4j.djl.io;
