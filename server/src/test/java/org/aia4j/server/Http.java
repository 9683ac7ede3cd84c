package org.aia4j.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Base64;
import javax.imageio.ImageIO;

/** A plain HTTP client for the tests: real requests to the server on its ephemeral port. */
final class Http {
  static final ObjectMapper JSON = new ObjectMapper();
  private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
  private final String base;
  private final String key;

  Http(AiaServer server) {
    this(server, null);
  }

  Http(AiaServer server, String key) {
    this.base = "http://127.0.0.1:" + server.port();
    this.key = key;
  }

  /** A reply: status, headers and body text. */
  record Reply(int status, HttpResponse<String> raw) {
    Reply withStatus() {
      return new Reply(raw.statusCode(), raw);
    }

    String body() {
      return raw.body();
    }

    JsonNode json() {
      try {
        return JSON.readTree(raw.body());
      } catch (IOException e) {
        throw new UncheckedIOException("Not JSON: " + raw.body(), e);
      }
    }

    String header(String name) {
      return raw.headers().firstValue(name).orElse(null);
    }
  }

  Reply get(String path) {
    return send(request(path).GET().build());
  }

  Reply post(String path, String body) {
    return send(request(path).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body)).build());
  }

  Reply post(String path, JsonNode body) {
    return post(path, body.toString());
  }

  Reply send(String method, String path, byte[] body, String contentType) {
    HttpRequest.Builder builder = request(path).method(method, body == null ? HttpRequest.BodyPublishers.noBody()
        : HttpRequest.BodyPublishers.ofByteArray(body));
    if (contentType != null) {
      builder.header("Content-Type", contentType);
    }
    return send(builder.build());
  }

  HttpRequest.Builder request(String path) {
    HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(60));
    if (key != null) {
      builder.header("Authorization", "Bearer " + key);
    }
    return builder;
  }

  Reply send(HttpRequest request) {
    try {
      return new Reply(0, client.send(request, HttpResponse.BodyHandlers.ofString())).withStatus();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  static String dataUrl(BufferedImage image, String format) {
    try {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      ImageIO.write(image, format, out);
      return "data:image/" + format + ";base64," + Base64.getEncoder().encodeToString(out.toByteArray());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
