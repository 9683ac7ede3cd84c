package org.aia4j.testkit;

/** For tests that must see what a garbage collection frees, such as direct buffers. */
public final class GarbageCollection {

  private GarbageCollection() {}

  /**
   * Three full collections, with pauses for the reference handler to run the cleaners of what
   * they found unreachable (a direct buffer's memory is freed there, not by the collection).
   */
  public static void collectAndWait() {
    for (int i = 0; i < 3; i++) {
      System.gc();
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while waiting for the collector", e);
      }
    }
  }
}
