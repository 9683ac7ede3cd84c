/** File writing that never leaves a half-written output: atomic files and directories. */
package org.aia4j.api.io;
