/**
 * Fixtures shared by the modules' tests. Depended on with {@code test} scope only; nothing in a
 * runtime jar uses it.
 */
package org.aia4j.testkit;
