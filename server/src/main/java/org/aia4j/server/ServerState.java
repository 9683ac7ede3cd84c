package org.aia4j.server;

import org.aia4j.server.batch.Batcher;
import org.aia4j.server.http.ApiException;

/**
 * What the handlers share and how far the server is: loading the model, ready, failed to load, or
 * draining for shutdown.
 */
public final class ServerState {
  /** The loaded model and its batcher. */
  public record Ready(ServedModel model, Batcher batcher) {}

  private volatile Ready ready;
  private volatile String failure;
  private volatile boolean draining;

  void ready(Ready loaded) {
    this.ready = loaded;
  }

  void failed(String message) {
    this.failure = message;
  }

  void drain() {
    this.draining = true;
  }

  /** @return true once the model is loaded and the server is not shutting down */
  public boolean isReady() {
    return ready != null && !draining;
  }

  /** @return true while shutting down */
  public boolean isDraining() {
    return draining;
  }

  /** @return why loading failed, or null */
  public String failure() {
    return failure;
  }

  /** @return the loaded model, or null while loading */
  public Ready current() {
    return ready;
  }

  /**
   * @return the loaded model and batcher
   * @throws ApiException 503 while loading, after a failed load or while shutting down
   */
  public Ready require() {
    if (draining) {
      throw new ApiException(503, "server_error", "shutting_down", null, "The server is shutting down");
    }
    Ready r = ready;
    if (r == null) {
      throw new ApiException(503, "server_error", failure == null ? "model_loading" : "model_failed", null,
          failure == null ? "The model is still loading; retry shortly" : "The model failed to load: " + failure);
    }
    return r;
  }
}
