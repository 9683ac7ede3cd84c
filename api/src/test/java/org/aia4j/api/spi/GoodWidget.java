package org.aia4j.api.spi;

/** Loads fine. */
public class GoodWidget implements Widget {
  @Override
  public String name() {
    return "good";
  }

  @Override
  public int rank() {
    return 0;
  }
}
