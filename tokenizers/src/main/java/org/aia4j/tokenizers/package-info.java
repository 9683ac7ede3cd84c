/**
 * The built-in tokenizers: {@link org.aia4j.tokenizers.PatchVqTokenizer} (kind {@code patch-vq},
 * a codebook of pixel patches learnt by {@link org.aia4j.tokenizers.PatchVqTrainer}) for images
 * and {@link org.aia4j.tokenizers.WordTokenizer} (kind {@code word}) for text. Each saves one
 * versioned JSON file into a checkpoint directory ({@code image-tokenizer.json}, {@code
 * text-tokenizer.json}) and is loaded back through its provider, found by {@link
 * java.util.ServiceLoader} via {@link org.aia4j.api.Registries}.
 *
 * <p>Neither tokenizer knows the model's special tokens ({@code <bos> <eos> <pad> <boi> <eoi>},
 * task markers): the model's vocabulary layer composes text ids, image codes and specials into
 * one vocabulary.
 */
package org.aia4j.tokenizers;
