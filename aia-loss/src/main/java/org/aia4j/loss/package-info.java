/**
 * Interaction statistics, the AIA loss and stage target schedules (DESIGN section 3). Engine
 * agnostic: plain {@code ai.djl.ndarray} maths, differentiable, on the inputs' device and type.
 *
 * <p>One definition of each statistic, reused by the trainer, the profiler and the reports:
 *
 * <ul>
 *   <li>{@link org.aia4j.loss.InteractionRoles}: the query set {@code Q} and key set {@code K} of
 *       each sample from a {@link org.aia4j.api.interaction.TokenRole} per position, as {@link
 *       org.aia4j.loss.InteractionSets};
 *   <li>{@link org.aia4j.loss.InteractionStatistic}: a layer's per-sample interaction mass
 *       {@code I_l}, {@code (B)}, from the full attention map or, memory-lean, from the layer's
 *       queries and keys;
 *   <li>{@link org.aia4j.loss.StageSchedule}: per-task weights and stage targets, relative or
 *       absolute, JSON in and out, derivable from expert curves;
 *   <li>{@link org.aia4j.loss.AiaLoss}: {@code lambda_task * mean_l Huber_{d_l}(Ibar_l - T_l)}, a
 *       {@link org.aia4j.api.loss.TrainingLoss} provided as {@code aia}.
 * </ul>
 *
 * <p>In a trainer, per batch of one task:
 *
 * <pre>{@code
 * AiaLoss aia = AiaLoss.paperDefault();                  // or new AiaLossProvider().createAia(config)
 * InteractionSets sets = aia.roles(task).sets(roles);    // roles: int[B][T] TokenRole codes
 * NDArray qIdx = sets.queryIndex(m), qValid = sets.queryValid(m), kMask = sets.keyMask(m);
 * NDList masses = new NDList();
 * for (each layer) {                                    // q, k: (B, H, T, d), as the attention uses them
 *   masses.add(InteractionStatistic.fromQueriesAndKeys(q, k, 1 / Math.sqrt(d), qIdx, qValid, kMask, keyPadding));
 *   // or, with the probabilities at hand: InteractionStatistic.fromAttention(a, sets.queryMask(m), kMask)
 * }
 * LossInputs in = new LossInputs(task, logits, labels, labelMask, masses, promptDropped);
 * NDArray loss = ntp.compute(in).add(aia.compute(in));  // aia.evaluate(in) also gives Ibar_l for logs
 * }</pre>
 */
package org.aia4j.loss;
