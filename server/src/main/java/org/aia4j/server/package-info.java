/** The Vert.x OpenAI-style HTTP endpoint. */
package org.aia4j.server;
