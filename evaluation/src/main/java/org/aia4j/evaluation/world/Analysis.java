package org.aia4j.evaluation.world;

import java.util.List;

/**
 * What the analyser read from one image.
 *
 * @param objects accepted objects in row-major slot order
 * @param rejected blobs that fit no object class (a detector below its threshold)
 * @param unknownPixels pixels that match neither the background nor any palette colour
 */
public record Analysis(List<DetectedObject> objects, List<RejectedBlob> rejected, int unknownPixels) {

  public Analysis {
    objects = List.copyOf(objects);
    rejected = List.copyOf(rejected);
  }

  /** Objects of the given class. */
  public List<DetectedObject> objectsOf(ObjectClass shape) {
    return objects.stream().filter(o -> o.shape() == shape).toList();
  }
}
