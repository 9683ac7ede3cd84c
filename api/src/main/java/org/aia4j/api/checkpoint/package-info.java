/**
 * The on-disk checkpoint format shared by every backend: a directory of files listed with their
 * SHA-256 in {@code MANIFEST.sha256}, written atomically, verified before anything is loaded.
 */
package org.aia4j.api.checkpoint;
