package org.aia4j.server;

import java.nio.file.Path;
import java.util.Objects;
import org.aia4j.server.batch.BatchSettings;

/**
 * How {@code aia serve} runs.
 *
 * @param host the address to listen on
 * @param port the port; 0 picks a free one
 * @param batch the batcher's settings
 * @param apiKey when not null, every {@code /v1/} request must carry {@code Authorization: Bearer
 *     <apiKey>}
 * @param bodyLimitBytes largest request body accepted; larger ones get 413 (from their
 *     {@code Content-Length}, before the body is read, when they declare one)
 * @param workDir where evaluation jobs write their outputs
 * @param shutdownTimeoutMs how long a graceful shutdown waits for in-flight requests
 * @param connections timeouts, the connection cap, the body budget and the decode pool
 * @param retention how long finished evaluation jobs and their outputs are kept
 * @param removeWorkDir true when {@code workDir} is the server's own (a temporary directory):
 *     it is deleted when the server closes
 */
public record ServerConfig(String host, int port, BatchSettings batch, String apiKey, long bodyLimitBytes, Path workDir,
    long shutdownTimeoutMs, ConnectionLimits connections, JobRetention retention, boolean removeWorkDir) {

  /** Largest request body by default: room for a 4096x4096 PNG or JPEG, base64-encoded. */
  public static final long DEFAULT_BODY_LIMIT = 16L * 1024 * 1024;

  // Validates the configuration; each violation names the option.
  public ServerConfig {
    Objects.requireNonNull(host, "host");
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port must be in [0, 65535], got " + port);
    }
    Objects.requireNonNull(batch, "batch");
    if (apiKey != null && apiKey.isBlank()) {
      throw new IllegalArgumentException("api-key must not be blank");
    }
    if (bodyLimitBytes < 1024) {
      throw new IllegalArgumentException("body limit must be >= 1024 bytes, got " + bodyLimitBytes);
    }
    Objects.requireNonNull(workDir, "workDir");
    if (shutdownTimeoutMs < 0) {
      throw new IllegalArgumentException("shutdown timeout must be >= 0, got " + shutdownTimeoutMs);
    }
    Objects.requireNonNull(connections, "connections");
    Objects.requireNonNull(retention, "retention");
  }

  /** The configuration with default connection limits and job retention, keeping {@code workDir}. */
  public ServerConfig(String host, int port, BatchSettings batch, String apiKey, long bodyLimitBytes, Path workDir,
      long shutdownTimeoutMs) {
    this(host, port, batch, apiKey, bodyLimitBytes, workDir, shutdownTimeoutMs, ConnectionLimits.defaults(),
        JobRetention.defaults(), false);
  }

  /** Loopback, the given port and batching, no key, default limits, outputs under {@code workDir}. */
  public static ServerConfig local(int port, BatchSettings batch, Path workDir) {
    return new ServerConfig("127.0.0.1", port, batch, null, DEFAULT_BODY_LIMIT, workDir, 60_000);
  }

  /** @return this configuration with an API key */
  public ServerConfig withApiKey(String key) {
    return new ServerConfig(host, port, batch, key, bodyLimitBytes, workDir, shutdownTimeoutMs, connections,
        retention, removeWorkDir);
  }

  /** @return this configuration with another body limit */
  public ServerConfig withBodyLimit(long bytes) {
    return new ServerConfig(host, port, batch, apiKey, bytes, workDir, shutdownTimeoutMs, connections, retention,
        removeWorkDir);
  }

  /** @return this configuration with other connection limits */
  public ServerConfig withConnections(ConnectionLimits limits) {
    return new ServerConfig(host, port, batch, apiKey, bodyLimitBytes, workDir, shutdownTimeoutMs, limits, retention,
        removeWorkDir);
  }

  /** @return this configuration with another retention of evaluation jobs */
  public ServerConfig withRetention(JobRetention policy) {
    return new ServerConfig(host, port, batch, apiKey, bodyLimitBytes, workDir, shutdownTimeoutMs, connections, policy,
        removeWorkDir);
  }

  /** @return this configuration with another shutdown timeout */
  public ServerConfig withShutdownTimeout(long ms) {
    return new ServerConfig(host, port, batch, apiKey, bodyLimitBytes, workDir, ms, connections, retention,
        removeWorkDir);
  }

  /** @return this configuration, its work directory deleted when the server closes */
  public ServerConfig removingWorkDir() {
    return new ServerConfig(host, port, batch, apiKey, bodyLimitBytes, workDir, shutdownTimeoutMs, connections,
        retention, true);
  }
}
