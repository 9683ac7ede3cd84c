package org.aia4j.api.spi;

/** Fails in its constructor, like a provider whose native library is missing. */
public class BrokenWidget implements Widget {
  public BrokenWidget() {
    throw new IllegalStateException("no native library (expected by the test)");
  }

  @Override
  public String name() {
    return "broken";
  }

  @Override
  public int rank() {
    return 0;
  }
}
