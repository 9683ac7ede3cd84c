/**
 * What a unified model is to the rest of aia4j: one object that answers questions about images
 * and generates images, plus the value types its requests, settings and inspection results are
 * made of. Backends implement {@link org.aia4j.api.model.UnifiedModel} and register a {@link
 * org.aia4j.api.model.ModelProvider}; benchmarks and the server use nothing else.
 */
package org.aia4j.api.model;
