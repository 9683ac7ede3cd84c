package org.aia4j.evaluation.mmbench;

/**
 * The suite's question categories, named the way MMBench names its abilities: {@link #label()} is
 * the TSV {@code category} column (MMBench's leaf ability) and {@link #l2Category()} the {@code
 * l2-category} column (MMBench's second level, spelled exactly as in the official files).
 */
public enum MmbenchCategory {
  /** "Is there a red circle in the image?", "Which of the following objects appears ...?" */
  EXISTENCE("existence", MmbenchCategory.COARSE),
  /** "How many squares are there in the image?" */
  COUNTING("counting", MmbenchCategory.INSTANCE),
  /** "What color is the cross in the image?" */
  COLOR_RECOGNITION("color_recognition", MmbenchCategory.INSTANCE),
  /** "What shape is the green object in the image?" */
  SHAPE_RECOGNITION("shape_recognition", MmbenchCategory.INSTANCE),
  /** "In which part of the image is the blue square?" (quadrant or half) */
  OBJECT_LOCALIZATION("object_localization", MmbenchCategory.INSTANCE),
  /** "Where is the red circle relative to the white cross?" */
  SPATIAL_RELATIONSHIP("spatial_relationship", MmbenchCategory.CROSS_INSTANCE),
  /** "Are there more circles or more squares in the image?", "... have the same color?" */
  ATTRIBUTE_COMPARISON("attribute_comparison", MmbenchCategory.CROSS_INSTANCE);

  private static final String COARSE = "coarse_perception";
  private static final String INSTANCE = "finegrained_perception (instance-level)";
  private static final String CROSS_INSTANCE = "finegrained_perception (cross-instance)";

  private final String label;
  private final String l2Category;

  MmbenchCategory(String label, String l2Category) {
    this.label = label;
    this.l2Category = l2Category;
  }

  /** The {@code category} cell, e.g. {@code spatial_relationship}. */
  public String label() {
    return label;
  }

  /** The {@code l2-category} cell, e.g. {@code finegrained_perception (cross-instance)}. */
  public String l2Category() {
    return l2Category;
  }
}
