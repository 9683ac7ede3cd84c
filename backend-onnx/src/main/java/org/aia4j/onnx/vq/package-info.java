/** Image tokenizers made of ONNX graphs: a real model's VQ encoder and decoder on ONNX Runtime. */
package org.aia4j.onnx.vq;
