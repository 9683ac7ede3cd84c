package org.aia4j.evaluation.world;

/**
 * A coloured blob the analyser did not accept as an object (too small, the wrong size, or a
 * shape that fits no class), kept so reports can say why an image failed.
 */
public record RejectedBlob(WorldColor color, BoundingBox box, int pixels, String reason) {}
