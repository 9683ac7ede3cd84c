package org.aia4j.api.thirdparty;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.aia4j.api.model.AnswerRequest;
import org.aia4j.api.model.GenerationRequest;
import org.aia4j.api.model.ModelInfo;
import org.aia4j.api.model.UnifiedModel;

/** A third party's model: answers by echoing the prompt, draws plain grey (#999999) images. */
public final class EchoModel implements UnifiedModel {

  static final Color GREY = new Color(0x99, 0x99, 0x99);

  private final int imageSize;
  private boolean closed;

  EchoModel(int imageSize) {
    this.imageSize = imageSize;
  }

  @Override
  public String name() {
    return "echo-" + imageSize;
  }

  @Override
  public List<String> answer(List<AnswerRequest> requests) {
    ensureOpen();
    return requests.stream().map(AnswerRequest::prompt).toList();
  }

  @Override
  public List<List<BufferedImage>> generate(List<GenerationRequest> requests) {
    ensureOpen();
    List<List<BufferedImage>> out = new ArrayList<>();
    for (GenerationRequest request : requests) {
      List<BufferedImage> images = new ArrayList<>();
      for (int i = 0; i < request.samples(); i++) {
        images.add(grey());
      }
      out.add(images);
    }
    return out;
  }

  @Override
  public ModelInfo info() {
    return new ModelInfo(name(), "echo", 0, Map.of("imageSize", String.valueOf(imageSize)));
  }

  @Override
  public void close() {
    closed = true;
  }

  boolean isClosed() {
    return closed;
  }

  private BufferedImage grey() {
    BufferedImage image = new BufferedImage(imageSize, imageSize, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = image.createGraphics();
    try {
      g.setColor(GREY);
      g.fillRect(0, 0, imageSize, imageSize);
    } finally {
      g.dispose();
    }
    return image;
  }

  private void ensureOpen() {
    if (closed) {
      throw new IllegalStateException(name() + " is closed");
    }
  }
}
