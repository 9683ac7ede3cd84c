package org.aia4j.djl.judge;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import org.aia4j.api.benchmark.ProgressListener;
import org.aia4j.evaluation.fashion.FashionItems;
import org.aia4j.evaluation.fashion.FashionMnist;
import org.aia4j.evaluation.fashion.FashionWorld;
import org.aia4j.evaluation.fashion.FashionWorldSpec;
import org.aia4j.evaluation.world.World;
import org.aia4j.evaluation.world.WorldProvider;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Registers the Fashion-MNIST world as {@code fashion}, its judge a {@link FashionJudge} trained
 * with DJL on the first use and loaded from its cache afterwards.
 *
 * <p>Config: {@code dataset} (the Fashion-MNIST directory; default {@code $AIA4J_FASHION_MNIST} or
 * Debian's {@code /usr/share/datasets/fashion-mnist}) and {@code cache} (where the judge is kept;
 * default {@code $AIA4J_CACHE/fashion-judge}, {@code $AIA4J_CACHE} defaulting to {@code
 * ~/.cache/aia4j}; the system property {@code aia4j.cache} wins over the variable).
 */
public final class FashionWorldProvider implements WorldProvider {
  /** Environment variable naming aia4j's cache directory. */
  public static final String CACHE_VARIABLE = "AIA4J_CACHE";

  private static final Logger LOG = LoggerFactory.getLogger(FashionWorldProvider.class);

  @Override
  public String name() {
    return FashionWorld.NAME;
  }

  @Override
  public int rank() {
    return 10;
  }

  @Override
  public World create(Map<String, String> config) throws IOException {
    Path dataset = config.containsKey("dataset") ? Path.of(config.get("dataset")) : FashionMnist.defaultDirectory();
    Path cache = config.containsKey("cache") ? Path.of(config.get("cache")) : defaultCache().resolve("fashion-judge");
    FashionWorldSpec spec = FashionWorldSpec.standard();
    FashionItems train = FashionMnist.read(dataset, FashionMnist.Split.TRAIN);
    FashionItems test = FashionMnist.read(dataset, FashionMnist.Split.TEST);
    LOG.info("Loading the fashion world's judge from {} (trained there on first use, about half a minute)", cache);
    FashionJudge judge = FashionJudge.trainOrLoad(cache, spec, dataset, JudgeSettings.standard(),
        ProgressListener.none());
    LOG.info("Fashion world judge: {}", judge.description());
    return new FashionWorld(spec, train, test, judge);
  }

  /** System property naming aia4j's cache directory; wins over {@value #CACHE_VARIABLE} (tests set it). */
  public static final String CACHE_PROPERTY = "aia4j.cache";

  /** {@code -Daia4j.cache}, else {@code $AIA4J_CACHE}, else {@code ~/.cache/aia4j}. */
  public static Path defaultCache() {
    String configured = System.getProperty(CACHE_PROPERTY, System.getenv(CACHE_VARIABLE));
    return configured != null && !configured.isBlank() ? Path.of(configured)
        : Path.of(System.getProperty("user.home"), ".cache", "aia4j");
  }
}
