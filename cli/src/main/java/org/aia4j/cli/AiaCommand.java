package org.aia4j.cli;

/** Placeholder entry point until the picocli command lands. */
public final class AiaCommand {
  public static void main(String[] args) {
    System.out.println("aia4j");
  }
}
