package org.aia4j.server;

import java.io.IOException;
import org.aia4j.api.model.UnifiedModel;

/** Loads the model to serve; called once, off the event loop, after the server listens (so /health can say 503). */
@FunctionalInterface
public interface ModelLoader {
  /** @return the loaded model; the server closes it on shutdown */
  UnifiedModel load() throws IOException;
}
