/**
 * The {@code huggingface} text tokenizer: a model's own {@code tokenizer.json} and {@code
 * tokenizer_config.json}, through DJL's bindings of the Rust tokenizers library.
 */
package org.aia4j.tokenizers.hf;
