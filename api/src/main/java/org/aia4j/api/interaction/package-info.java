/**
 * The positions the interaction statistic {@code I_l} reads (DESIGN section 3): a {@link
 * org.aia4j.api.interaction.TokenRole} per position of a sequence, and the {@link
 * org.aia4j.api.interaction.InteractionRoles} that say which roles are a task's queries and
 * keys. Sequence builders (inference) write roles; the statistic, the loss and every backend's
 * profiler read them, so the sets are defined once, here.
 */
package org.aia4j.api.interaction;
