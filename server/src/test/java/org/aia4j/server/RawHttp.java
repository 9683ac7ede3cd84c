package org.aia4j.server;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;

/** Raw HTTP over a socket, for requests no client library would send: stalled, slow, malformed. */
final class RawHttp implements AutoCloseable {
  /** What the server sent before closing (or before the deadline): the status line, the body, and whether it closed. */
  record Result(String statusLine, String head, String body, boolean closed, long closedAfterMs) {
    int status() {
      String[] parts = statusLine.split(" ");
      return parts.length > 1 && parts[1].matches("\\d{3}") ? Integer.parseInt(parts[1]) : 0;
    }

    JsonNode json() {
      try {
        return Http.JSON.readTree(body);
      } catch (IOException e) {
        throw new UncheckedIOException("Not JSON: " + head + "\n\n" + body, e);
      }
    }
  }

  final Socket socket;
  private final long opened = System.nanoTime();

  RawHttp(int port) {
    try {
      socket = new Socket("127.0.0.1", port);
      socket.setTcpNoDelay(true);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** @return false if the server had closed the connection */
  boolean send(String text) {
    return send(text.getBytes(StandardCharsets.ISO_8859_1));
  }

  boolean send(byte[] bytes) {
    try {
      socket.getOutputStream().write(bytes);
      socket.getOutputStream().flush();
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /**
   * Reads until the server closes the connection, at most {@code waitMs}; a reset counts as
   * closed. The body is what follows the head, as sent (chunk framing included).
   */
  Result read(long waitMs) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    long deadline = System.nanoTime() + waitMs * 1_000_000L;
    boolean closed = false;
    try {
      InputStream in = socket.getInputStream();
      byte[] buffer = new byte[8192];
      while (true) {
        long left = (deadline - System.nanoTime()) / 1_000_000L;
        if (left <= 0) {
          break;
        }
        socket.setSoTimeout((int) Math.max(1, left));
        int n;
        try {
          n = in.read(buffer);
        } catch (SocketTimeoutException e) {
          break;
        }
        if (n < 0) {
          closed = true;
          break;
        }
        out.write(buffer, 0, n);
      }
    } catch (SocketException e) {
      closed = true; // reset by the server
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    String text = out.toString(StandardCharsets.ISO_8859_1);
    int split = text.indexOf("\r\n\r\n");
    String head = split < 0 ? text : text.substring(0, split);
    String body = split < 0 ? "" : text.substring(split + 4);
    String status = head.lines().findFirst().orElse("");
    return new Result(status, head, body, closed, (System.nanoTime() - opened) / 1_000_000L);
  }

  /** Sends a whole request and reads the reply until the server closes or {@code waitMs} pass. */
  static Result exchange(int port, String request, long waitMs) {
    try (RawHttp raw = new RawHttp(port)) {
      raw.send(request);
      return raw.read(waitMs);
    }
  }

  @Override
  public void close() {
    try {
      socket.close();
    } catch (IOException e) {
      // closing anyway
    }
  }
}
