/** The service-provider interfaces and value types every aia4j module plugs into. */
package org.aia4j.api;
