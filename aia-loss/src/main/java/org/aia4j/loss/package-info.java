/** Interaction statistics, the AIA loss and stage target schedules (see DESIGN section 3). */
package org.aia4j.loss;
