package org.aia4j.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The machine's memory read bandwidth, as a decode benchmark's ceiling: a decode step at batch 1
 * reads every weight once, so its tokens/s can be no more than this rate over the model's bytes.
 * Each thread sums its own slice of one array far larger than the last-level cache; the best of
 * a few passes is kept (a pass is only slowed by other work, never sped up).
 */
final class MemoryBandwidth {
  /** 512 MiB of longs: 16 times this machine's 32 MiB L3, so every pass streams from DRAM. */
  private static final int LONGS = 64 << 20;
  private static final int PASSES = 5;

  private MemoryBandwidth() {}

  /** @return the best read rate over {@link #PASSES} passes, in GB/s (10^9 bytes), on {@code threads} threads */
  static double readGigabytesPerSecond(int threads) throws Exception {
    long[] data = new long[LONGS];
    for (int i = 0; i < data.length; i += 512) {
      data[i] = i; // touch every page, so the first pass does not pay the page faults
    }
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      double best = 0;
      long sink = 0;
      for (int pass = 0; pass < PASSES; pass++) {
        List<Future<Long>> parts = new ArrayList<>();
        long start = System.nanoTime();
        for (int t = 0; t < threads; t++) {
          int from = (int) ((long) data.length * t / threads);
          int to = (int) ((long) data.length * (t + 1) / threads);
          parts.add(pool.submit(() -> sum(data, from, to)));
        }
        for (Future<Long> part : parts) {
          sink += part.get();
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        best = Math.max(best, 8.0 * data.length / seconds / 1e9);
      }
      if (sink == 42) {
        System.out.print(""); // keeps the sums observable, so no pass is optimised away
      }
      return best;
    } finally {
      pool.shutdownNow();
    }
  }

  /** Four independent sums, so the loop is bound by loads rather than by one add chain. */
  private static long sum(long[] data, int from, int to) {
    long a = 0;
    long b = 0;
    long c = 0;
    long d = 0;
    int i = from;
    for (; i + 3 < to; i += 4) {
      a += data[i];
      b += data[i + 1];
      c += data[i + 2];
      d += data[i + 3];
    }
    for (; i < to; i++) {
      a += data[i];
    }
    return a + b + c + d;
  }
}
