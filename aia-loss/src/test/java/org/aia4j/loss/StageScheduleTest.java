package org.aia4j.loss;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.aia4j.api.model.InteractionProfile;
import org.aia4j.api.model.Task;
import org.junit.jupiter.api.Test;

class StageScheduleTest {

  private static final StageSchedule PAPER = StageSchedule.paperDefault();

  @Test
  void meanAbsoluteDeviationAveragesLayerDistancesToTheTargets() {
    LayerTargets und = StageSchedule.paperDefault().resolve(Task.UNDERSTANDING, 32);
    double[] onTarget = und.target();
    assertThat(und.meanAbsoluteDeviation(onTarget)).isZero();
    double[] shifted = onTarget.clone();
    shifted[0] += 0.32; // one layer of 32 off by 0.32
    assertThat(und.meanAbsoluteDeviation(shifted)).isCloseTo(0.01, within(1e-12));
    assertThatThrownBy(() -> und.meanAbsoluteDeviation(new double[4]))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("4 layers");
  }

  @Test
  void paperDefaultAt32LayersIsTheTableOfTheDesign() {
    LayerTargets gen = PAPER.resolve(Task.GENERATION, 32);
    LayerTargets und = PAPER.resolve(Task.UNDERSTANDING, 32);
    for (int l = 0; l < 32; l++) {
      double[] genExpected =
          l <= 9 ? new double[] {0.2, 0.4}
              : l <= 24 ? new double[] {0.1, 0.4}
              : new double[] {0.05, 0.2};
      double[] undExpected =
          l <= 9 ? new double[] {0.05, 0.1}
              : l <= 19 ? new double[] {0.05, 0.15}
              : l <= 30 ? new double[] {0.05, 0.3}
              : new double[] {0.05, 0.2};
      assertThat(new double[] {gen.delta()[l], gen.target()[l]}).as("gen layer %d", l)
          .containsExactly(genExpected);
      assertThat(new double[] {und.delta()[l], und.target()[l]}).as("und layer %d", l)
          .containsExactly(undExpected);
    }
    assertThat(gen.lambda()).isEqualTo(5.0);
    assertThat(und.lambda()).isEqualTo(10.0);
  }

  @Test
  void paperDefaultFitsSmallDepthsByLayerMidpoints() {
    // 4 layers: midpoints 0.125, 0.375, 0.625, 0.875 fall in stages 0, 1, 2, 3.
    LayerTargets gen4 = PAPER.resolve(Task.GENERATION, 4);
    LayerTargets und4 = PAPER.resolve(Task.UNDERSTANDING, 4);
    assertThat(gen4.delta()).containsExactly(0.2, 0.1, 0.1, 0.05);
    assertThat(gen4.target()).containsExactly(0.4, 0.4, 0.4, 0.2);
    assertThat(und4.delta()).containsExactly(0.05, 0.05, 0.05, 0.05);
    assertThat(und4.target()).containsExactly(0.1, 0.15, 0.3, 0.3);
    // 6 layers: midpoints 1/12, 3/12, 5/12, 7/12, 9/12, 11/12 -> stages 0, 0, 1, 1, 2, 3.
    LayerTargets gen6 = PAPER.resolve(Task.GENERATION, 6);
    LayerTargets und6 = PAPER.resolve(Task.UNDERSTANDING, 6);
    assertThat(gen6.delta()).containsExactly(0.2, 0.2, 0.1, 0.1, 0.1, 0.05);
    assertThat(gen6.target()).containsExactly(0.4, 0.4, 0.4, 0.4, 0.4, 0.2);
    assertThat(und6.target()).containsExactly(0.1, 0.1, 0.15, 0.15, 0.3, 0.3);
  }

  @Test
  void absoluteScheduleResolvesOnlyAtItsDepth() {
    StageSchedule absolute =
        StageSchedule.fromJson(
            """
            {"mode": "absolute", "layers": 3,
             "generation": {"lambda": 40, "stages": [
               {"from": 0, "to": 2, "delta": 0.2, "target": 0.4},
               {"from": 2, "to": 3, "delta": 0.05, "target": 0.2}]},
             "understanding": {"stages": [
               {"from": 0, "to": 3, "delta": 0.05, "target": 0.3}]}}
            """);
    LayerTargets gen = absolute.resolve(Task.GENERATION, 3);
    assertThat(gen.target()).containsExactly(0.4, 0.4, 0.2);
    assertThat(gen.lambda()).isEqualTo(StageSchedule.LAMBDA_PAPER_TEXT);
    assertThat(absolute.resolve(Task.UNDERSTANDING, 3).lambda())
        .as("lambda defaults to the released code's")
        .isEqualTo(10.0);
    assertThatThrownBy(() -> absolute.resolve(Task.GENERATION, 4))
        .hasMessageStartingWith("schedule is for 3 layers, model has 4");
  }

  @Test
  void jsonRoundTrips() {
    assertThat(StageSchedule.fromJson(PAPER.toJson())).isEqualTo(PAPER);
    assertThat(StageSchedule.fromJson(PAPER.toJsonString())).isEqualTo(PAPER);
    StageSchedule expert =
        StageSchedule.fromExpertCurves(
            new double[] {0.55, 0.58, 0.76, 0.74, 0.7, 0.6}, new double[] {0.41, 0.2, 0.19, 0.22, 0.3, 0.3}, 3);
    assertThat(StageSchedule.fromJson(expert.toJsonString())).isEqualTo(expert);
    StageSchedule absolute = new StageSchedule(
        StageSchedule.Mode.ABSOLUTE, 2,
        new TaskSchedule(5, List.of(new Stage(0, 1, 0.1, 0.5), new Stage(1, 2, 0.1, 0.25))),
        new TaskSchedule(10, List.of(new Stage(0, 2, 0.05, 0.3))));
    assertThat(absolute.toJson().get("layers").intValue()).isEqualTo(2);
    assertThat(absolute.toJson().at("/generation/stages/1/from").isInt()).isTrue();
    assertThat(StageSchedule.fromJson(absolute.toJson())).isEqualTo(absolute);
    assertThat(PAPER.toJson().at("/generation/stages/0/to").doubleValue()).isEqualTo(0.3125);
  }

  @Test
  void expertCurvesBecomeBlockMeansWithAFlooredSpread() {
    // DESIGN section 6's measured curves of the 4-layer model.
    double[] und = {0.55, 0.58, 0.76, 0.74};
    double[] gen = {0.41, 0.20, 0.19, 0.22};
    StageSchedule two = StageSchedule.fromExpertCurves(und, gen, 2);
    assertThat(two.mode()).isEqualTo(StageSchedule.Mode.RELATIVE);
    List<Stage> genStages = two.generation().stages();
    assertThat(genStages).hasSize(2);
    assertThat(genStages.get(0).from()).isZero();
    assertThat(genStages.get(0).to()).isEqualTo(0.5);
    assertThat(genStages.get(0).target()).isCloseTo(0.305, within(1e-12));
    assertThat(genStages.get(0).delta()).as("spread 0.105 above the floor").isCloseTo(0.105, within(1e-12));
    assertThat(genStages.get(1).target()).isCloseTo(0.205, within(1e-12));
    assertThat(genStages.get(1).delta()).as("spread 0.015 floored").isEqualTo(0.05);
    assertThat(two.resolve(Task.UNDERSTANDING, 4).target())
        .containsExactly(new double[] {0.565, 0.565, 0.75, 0.75}, within(1e-12));
    assertThat(two.generation().lambda()).isEqualTo(5.0);
    assertThat(two.understanding().lambda()).isEqualTo(10.0);

    StageSchedule perLayer = StageSchedule.fromExpertCurves(und, gen, 4);
    assertThat(perLayer.resolve(Task.GENERATION, 4).target()).containsExactly(gen, within(1e-12));

    StageSchedule fromProfiles =
        StageSchedule.fromExpertProfiles(
            new InteractionProfile(Task.UNDERSTANDING, List.of(0.55, 0.58, 0.76, 0.74), List.of(0.0, 0.0, 0.0, 0.0), 10),
            new InteractionProfile(Task.GENERATION, List.of(0.41, 0.20, 0.19, 0.22), List.of(0.0, 0.0, 0.0, 0.0), 10),
            2);
    assertThat(fromProfiles).isEqualTo(two);

    assertThatThrownBy(() -> StageSchedule.fromExpertCurves(und, new double[] {0.1, 0.2, 0.3}, 4))
        .hasMessage("cannot split the generation curve's 3 layers into 4 stages");
    assertThatThrownBy(() -> StageSchedule.fromExpertCurves(und, gen, 2, 0))
        .hasMessage("deltaFloor must be finite and > 0, got 0.0");
  }

  private static String schedule(String mode, String genStages) {
    return "{" + mode + ", \"generation\": {\"lambda\": 5, \"stages\": [" + genStages + "]},"
        + " \"understanding\": {\"lambda\": 10, \"stages\": ["
        + "{\"from\": 0, \"to\": 1, \"delta\": 0.05, \"target\": 0.3}]}}";
  }

  private static String stage(double from, double to, double delta, double target) {
    return "{\"from\": " + from + ", \"to\": " + to + ", \"delta\": " + delta + ", \"target\": " + target + "}";
  }

  private static final String RELATIVE = "\"mode\": \"relative\"";

  @Test
  void badSchedulesAreRejectedWithSpecificMessages() {
    assertThatThrownBy(() -> StageSchedule.fromJson(schedule("\"mode\": \"layerwise\"", stage(0, 1, 0.1, 0.4))))
        .hasMessage("Unknown schedule mode 'layerwise': expected \"relative\" or \"absolute\"");
    assertThatThrownBy(() -> StageSchedule.fromJson(schedule(RELATIVE, stage(0, 0.5, 0.1, 0.4) + "," + stage(0.6, 1, 0.1, 0.4))))
        .hasMessage("generation.stages leave a gap: stages[0] ends at depth 0.5 but stages[1] starts at 0.6");
    assertThatThrownBy(() -> StageSchedule.fromJson(schedule(RELATIVE, stage(0, 0.5, 0.1, 0.4) + "," + stage(0.4, 1, 0.1, 0.4))))
        .hasMessage("generation.stages overlap: stages[1] starts at depth 0.4 before stages[0] ends at 0.5");
    assertThatThrownBy(() -> StageSchedule.fromJson(schedule(RELATIVE, stage(0.1, 1, 0.1, 0.4))))
        .hasMessage("generation.stages leave a gap: the first stage starts at depth 0.1, not 0");
    assertThatThrownBy(() -> StageSchedule.fromJson(schedule(RELATIVE, stage(0, 0.9, 0.1, 0.4))))
        .hasMessage("generation.stages leave a gap: the last stage ends at depth 0.9, not 1");
    assertThatThrownBy(() -> StageSchedule.fromJson(schedule(RELATIVE, stage(0, 1.5, 0.1, 0.4))))
        .hasMessage("generation.stages run past the end: the last stage ends at depth 1.5, beyond 1");
    assertThatThrownBy(() -> StageSchedule.fromJson(schedule(RELATIVE, stage(0, 1, 0, 0.4))))
        .hasMessage("generation.stages[0]: delta must be finite and > 0, got 0");
    assertThatThrownBy(() -> StageSchedule.fromJson(schedule(RELATIVE, stage(0, 1, -0.1, 0.4))))
        .hasMessage("generation.stages[0]: delta must be finite and > 0, got -0.1");
    assertThatThrownBy(() -> StageSchedule.fromJson(schedule(RELATIVE, stage(0, 1, 0.1, 1.2))))
        .hasMessage("generation.stages[0]: target must be an interaction mass in [0, 1], got 1.2");
    assertThatThrownBy(() -> StageSchedule.fromJson(schedule(RELATIVE, stage(0, 1, 0.1, -0.1))))
        .hasMessage("generation.stages[0]: target must be an interaction mass in [0, 1], got -0.1");
    assertThatThrownBy(() -> StageSchedule.fromJson(schedule(RELATIVE, stage(0.5, 0.5, 0.1, 0.4))))
        .hasMessage("generation.stages[0] is empty: from 0.5 must be below to 0.5");
    assertThatThrownBy(() -> StageSchedule.fromJson(schedule("\"mode\": \"absolute\"", stage(0, 1, 0.1, 0.4))))
        .hasMessage("An absolute schedule needs \"layers\": the depth it is for");
    assertThatThrownBy(() -> StageSchedule.fromJson(schedule("\"mode\": \"absolute\", \"layers\": 4", stage(0, 1.5, 0.1, 0.4))))
        .hasMessage("generation.stages[0]: an absolute schedule's from and to are whole layer numbers, got 0 and 1.5");
    assertThatThrownBy(() -> StageSchedule.fromJson(schedule("\"mode\": \"absolute\", \"layers\": 1", stage(0, 1, 0.1, 0.4)).replace("\"to\": 1,", "\"to\": 2,")))
        .hasMessage("understanding.stages run past the end: the last stage ends at layer 2, beyond 1");
    assertThatThrownBy(() -> StageSchedule.fromJson(schedule(RELATIVE + ", \"layers\": 4", stage(0, 1, 0.1, 0.4))))
        .hasMessageStartingWith("A relative schedule fits any depth and takes no \"layers\" (got 4)");
    assertThatThrownBy(() -> StageSchedule.fromJson(schedule(RELATIVE + ", \"lambdas\": 4", stage(0, 1, 0.1, 0.4))))
        .hasMessage("Unknown field 'lambdas' in schedule. Known fields: generation, layers, mode, understanding");
    assertThatThrownBy(() -> StageSchedule.fromJson(schedule(RELATIVE, stage(0, 1, 0.1, 0.4).replace("}", ", \"weight\": 1}"))))
        .hasMessage("Unknown field 'weight' in generation.stages[0]. Known fields: delta, from, target, to");
    assertThatThrownBy(() -> StageSchedule.fromJson(schedule(RELATIVE, "")))
        .hasMessage("generation.stages must hold at least one stage");
    assertThatThrownBy(() -> StageSchedule.fromJson("{\"generation\": {}}"))
        .hasMessage("schedule needs \"mode\": \"relative\" or \"absolute\"");
    assertThatThrownBy(() -> StageSchedule.fromJson(schedule(RELATIVE, stage(0, 1, 0.1, 0.4)).replace("\"generation\"", "\"gen\"")))
        .hasMessageStartingWith("Unknown field 'gen' in schedule");
    assertThatThrownBy(() -> StageSchedule.fromJson("{\"mode\": "))
        .hasMessageStartingWith("schedule is not valid JSON");
    assertThatThrownBy(() -> StageSchedule.fromJson(schedule(RELATIVE, stage(0, 1, 0.1, 0.4)).replace("\"lambda\": 5", "\"lambda\": -1")))
        .hasMessage("generation.lambda must be finite and >= 0, got -1");
  }
}
