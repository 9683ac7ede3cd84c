package org.aia4j.evaluation.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.aia4j.evaluation.report.ComparisonTable.Better;
import org.aia4j.evaluation.report.ComparisonTable.Cell;
import org.aia4j.evaluation.report.ComparisonTable.Row;
import org.junit.jupiter.api.Test;

class ComparisonTableTest {

  private static Row row(Better better, Double... values) {
    return new Row("s", "r", better, java.util.Arrays.stream(values).map(Cell::number).toList());
  }

  @Test
  void bestFollowsTheRowsDirectionAndKeepsTies() {
    assertThat(row(Better.HIGHER, 0.2, 0.5, 0.1).best()).containsExactly(1);
    assertThat(row(Better.LOWER, 0.2, 0.5, 0.1).best()).containsExactly(2);
    assertThat(row(Better.HIGHER, 0.5, 0.2, 0.5).best()).containsExactly(0, 2);
  }

  @Test
  void nothingIsBestWithoutAComparison() {
    assertThat(row(Better.HIGHER, 0.3, 0.3).best()).as("all equal").isEmpty();
    assertThat(row(Better.HIGHER, 0.30001, 0.3).best()).as("equal as shown").isEmpty();
    assertThat(row(Better.HIGHER, 0.3, null).best()).as("one number").isEmpty();
    assertThat(row(Better.NONE, 0.3, 0.4).best()).as("configuration").isEmpty();
    assertThat(row(Better.LOWER, Double.NaN, 0.4, 0.5).best()).as("NaN is missing").containsExactly(1);
  }

  @Test
  void rowsNoRunHasAreLeftOut() {
    ReportRun bare = ReportRun.builder("p", java.nio.file.Path.of("p.json"), ReportRun.Kind.PROFILE).build();
    assertThat(ComparisonTable.of(List.of(bare, bare), 10).rows()).isEmpty();
  }
}
