package org.aia4j.evaluation.world;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** A set of objects, at most one per slot. Objects are kept in row-major slot order. */
public record Scene(List<SceneObject> objects) {

  public Scene {
    Set<Slot> used = new HashSet<>();
    for (SceneObject object : objects) {
      if (!used.add(object.slot())) {
        throw new IllegalArgumentException("Two objects share slot " + object.slot() + " in " + objects);
      }
    }
    objects = objects.stream()
        .sorted((a, b) -> a.slot().row() != b.slot().row()
            ? Integer.compare(a.slot().row(), b.slot().row())
            : Integer.compare(a.slot().col(), b.slot().col()))
        .toList();
  }

  /** A scene of the given objects. */
  public static Scene of(SceneObject... objects) {
    return new Scene(List.of(objects));
  }

  /** How many objects of class {@code shape} the scene holds. */
  public long count(ObjectClass shape) {
    return objects.stream().filter(o -> o.shape() == shape).count();
  }
}
