/** ONNX export of aia4j checkpoints and ONNX Runtime inference with a KV cache. */
package org.aia4j.onnx;
