package org.aia4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.aia4j.api.model.InteractionProfile;
import org.aia4j.api.model.Task;
import org.aia4j.inference.profile.ProfileFile;
import org.aia4j.loss.StageSchedule;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code aia report} as a user types it (eval-run reports are tested in evaluation's report package). */
class ReportCommandTest {
  @TempDir
  Path tmp;

  @Test
  void aProfileAloneMakesAPage() throws Exception {
    Path profile = tmp.resolve("und.json");
    ProfileFile.write(profile, new InteractionProfile(Task.UNDERSTANDING, List.of(0.5, 0.6, 0.7, 0.7),
        List.of(0.1, 0.1, 0.1, 0.1), 32), Map.of("checkpoint", tmp.resolve("ckpt").toString(), "step", 10,
        "schedule", StageSchedule.paperDefault().toJson()));
    Path out = tmp.resolve("report.html");

    CliTest.Run run = CliTest.aia("report", profile.toString(), "--out", out.toString(), "--title", "Expert <und>");

    assertThat(run.exit()).as(run.err()).isZero();
    assertThat(run.out()).contains("Wrote " + out, "1 run, 1 charts", "note: ckpt: checkpoint");
    String html = Files.readString(out);
    assertThat(html).contains("<title>Expert &lt;und&gt;</title>", "id=\"interaction-und\"",
        "src=\"data:image/png;base64,");
  }

  @Test
  void aForeignOrMalformedSummaryFailsNamingTheFile() throws Exception {
    Path run = Files.createDirectories(tmp.resolve("someone-elses-run"));
    Path summary = Files.writeString(run.resolve("summary.json"), "{\"accuracy\": 0.9, \"tasks\": {}}");

    CliTest.Run foreign = CliTest.aia("report", run.toString(), "--out", tmp.resolve("r.html").toString());

    assertThat(foreign.exit()).isEqualTo(1);
    assertThat(foreign.err()).contains("aia report: " + summary + ": not an aia eval summary").doesNotContain("\tat ");
    Files.writeString(summary, "{\"format\": \"aia4j-eval-summary\", \"version\": 1, \"model\": ");
    CliTest.Run malformed = CliTest.aia("report", run.toString(), "--out", tmp.resolve("r.html").toString());
    assertThat(malformed.exit()).isEqualTo(1);
    assertThat(malformed.err()).contains(summary + ": malformed JSON");
    assertThat(tmp.resolve("r.html")).doesNotExist();
  }

  @Test
  void aFolderThatIsNotAnEvalRunFailsNamingIt() throws Exception {
    Path folder = Files.createDirectories(tmp.resolve("not-a-run"));

    CliTest.Run run = CliTest.aia("report", folder.toString(), "--out", tmp.resolve("r.html").toString());

    assertThat(run.exit()).isEqualTo(1);
    assertThat(run.err()).contains("aia report: " + folder + " is not an eval run", "summary.json");
    assertThat(tmp.resolve("r.html")).doesNotExist();
  }
}
