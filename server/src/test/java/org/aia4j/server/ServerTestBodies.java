package org.aia4j.server;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.awt.image.BufferedImage;

/** Request bodies the tests start from. */
final class ServerTestBodies {
  private ServerTestBodies() {}

  /** A valid chat request: one question about one PNG image, at most 4 answer tokens. */
  static ObjectNode chat(String model, BufferedImage image, String question) {
    ObjectNode body = Http.JSON.createObjectNode();
    body.put("model", model);
    ObjectNode user = body.putArray("messages").addObject();
    user.put("role", "user");
    var content = user.putArray("content");
    content.addObject().put("type", "text").put("text", question);
    content.addObject().put("type", "image_url").putObject("image_url").put("url", Http.dataUrl(image, "png"));
    body.put("max_tokens", 4);
    return body;
  }
}
