package org.aia4j.server.http;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.ext.web.RoutingContext;
import org.aia4j.api.model.ModelInfo;
import org.aia4j.server.ServedModel;
import org.aia4j.server.ServerState;

/** {@code GET /v1/models} and {@code GET /v1/models/{id}}: the one served model, OpenAI-shaped, with its provenance. */
final class Models {
  private final ServerState state;
  private final long created = System.currentTimeMillis() / 1000;

  Models(ServerState state) {
    this.state = state;
  }

  void list(RoutingContext ctx) {
    ServedModel served = state.require().model();
    ObjectNode root = Replies.JSON.createObjectNode();
    root.put("object", "list");
    root.putArray("data").add(model(served));
    Replies.json(ctx, 200, root);
  }

  void one(RoutingContext ctx) {
    ServedModel served = state.require().model();
    check(served, ctx.pathParam("id"), null);
    Replies.json(ctx, 200, model(served));
  }

  private ObjectNode model(ServedModel served) {
    ObjectNode node = Replies.JSON.createObjectNode();
    node.put("id", served.id());
    node.put("object", "model");
    node.put("created", created);
    node.put("owned_by", "aia4j");
    ModelInfo info = served.model().info();
    ObjectNode aia = node.putObject("aia4j");
    aia.put("backend", info.backend());
    aia.put("layers", info.layers());
    if (served.known()) {
      aia.put("max_length", served.maxLength());
      aia.put("image_size", served.imageSize());
      aia.put("tokens_per_image", served.tokensPerImage());
    }
    aia.set("provenance", Replies.JSON.valueToTree(info.provenance()));
    return node;
  }

  /** @throws ApiException 404 unless {@code requested} names the served model */
  static void check(ServedModel served, String requested, String param) {
    if (!served.id().equals(requested)) {
      throw ApiException.notFound("model_not_found", param, "The model '" + requested
          + "' does not exist; this server serves '" + served.id() + "'");
    }
  }
}
