package org.aia4j.inference.profile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.aia4j.api.model.InteractionProfile;
import org.aia4j.api.model.Task;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProfileFileTest {
  @TempDir
  Path tmp;

  @Test
  void roundTrips() throws Exception {
    InteractionProfile und = new InteractionProfile(Task.UNDERSTANDING, List.of(0.5, 0.6, 0.7, 0.8), List.of(0.1, 0.1, 0.1, 0.2), 64);
    InteractionProfile gen = new InteractionProfile(Task.GENERATION, List.of(0.4, 0.2, 0.2, 0.2), List.of(0.0, 0.1, 0.0, 0.1), 64);
    ProfileFile.write(tmp.resolve("und.json"), und, Map.of("checkpoint", "runs/und"));
    ProfileFile.write(tmp.resolve("gen.json"), gen, Map.of("checkpoint", "runs/gen"));

    assertThat(ProfileFile.read(tmp.resolve("und.json"), Task.UNDERSTANDING)).isEqualTo(und);
    assertThat(Files.readString(tmp.resolve("und.json"))).contains("\"task\" : \"und\"").contains("runs/und");
    assertThat(ProfileFile.read(tmp.resolve("gen.json"), Task.GENERATION)).isEqualTo(gen);
  }

  @Test
  void wrongTaskMissingFieldsAndBadValuesAreNamed() throws Exception {
    InteractionProfile gen = new InteractionProfile(Task.GENERATION, List.of(0.4), List.of(0.0), 1);
    ProfileFile.write(tmp.resolve("gen.json"), gen, Map.of());
    assertThatThrownBy(() -> ProfileFile.read(tmp.resolve("gen.json"), Task.UNDERSTANDING))
        .hasMessageContaining("is a gen profile, but a und profile is needed");

    Files.writeString(tmp.resolve("nostd.json"), "{\"task\": \"und\", \"samples\": 3, \"mean\": [0.2]}");
    assertThatThrownBy(() -> ProfileFile.read(tmp.resolve("nostd.json"), null)).hasMessageContaining("missing field 'std'");

    Files.writeString(tmp.resolve("range.json"), "{\"task\": \"und\", \"samples\": 3, \"mean\": [1.5], \"std\": [0]}");
    assertThatThrownBy(() -> ProfileFile.read(tmp.resolve("range.json"), null)).hasMessageContaining("range.json: mean[0]");

    Files.writeString(tmp.resolve("broken.json"), "{\"task\": ");
    assertThatThrownBy(() -> ProfileFile.read(tmp.resolve("broken.json"), null)).hasMessageContaining("not valid JSON");

    assertThatThrownBy(() -> ProfileFile.read(tmp.resolve("absent.json"), null)).hasMessageContaining("absent.json");
  }
}
