/**
 * Training data as raw text and images: what a data source (the embedded world, a user's data
 * set) hands to a trainer, before any tokenizer runs.
 */
package org.aia4j.api.data;
