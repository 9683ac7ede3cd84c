/**
 * Tokenizers that turn images and text into the ids one unified vocabulary is made of. Each
 * saves itself into a checkpoint directory and is loaded back by the provider of its {@code
 * kind}, so a checkpoint names how to read its own tokens.
 */
package org.aia4j.api.tokenizer;
