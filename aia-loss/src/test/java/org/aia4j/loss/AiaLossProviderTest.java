package org.aia4j.loss;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.aia4j.api.Registries;
import org.aia4j.api.interaction.AnswerQueries;
import org.aia4j.api.interaction.InteractionRoles;
import org.aia4j.api.loss.LossProvider;
import org.aia4j.api.loss.TrainingLoss;
import org.aia4j.api.model.Task;
import org.junit.jupiter.api.Test;

class AiaLossProviderTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void foundThroughServiceLoaderByName() throws Exception {
    LossProvider provider = Registries.losses().get("aia");
    assertThat(provider).isInstanceOf(AiaLossProvider.class);
    assertThat(Registries.losses().get("AIA")).as("names match case-insensitively").isInstanceOf(AiaLossProvider.class);
    TrainingLoss loss = provider.create(JSON.createObjectNode());
    assertThat(loss.name()).isEqualTo("aia");
    assertThat(((AiaLoss) loss).schedule()).isEqualTo(StageSchedule.paperDefault());
    assertThat(((AiaLoss) loss).bosAsText()).isTrue();
    // What the trainer asks of any loss: it needs the masses and checks its schedule against the depth.
    assertThat(loss.needsInteractions()).isTrue();
    TrainingLoss deep = provider.create(JSON.readTree("{\"mode\":\"absolute\",\"layers\":30,"
        + "\"generation\":{\"stages\":[{\"from\":0,\"to\":30,\"delta\":0.1,\"target\":0.4}]},"
        + "\"understanding\":{\"stages\":[{\"from\":0,\"to\":30,\"delta\":0.1,\"target\":0.2}]}}"));
    deep.requireFits(30);
    assertThatThrownBy(() -> deep.requireFits(2)).hasMessageContaining("schedule is for 30 layers, model has 2");
  }

  @Test
  void configIsTheScheduleJsonPlusBosAsText() throws Exception {
    AiaLossProvider provider = new AiaLossProvider();
    assertThat(provider.createAia(JSON.readTree("{\"bosAsText\": false}")).roles(Task.GENERATION))
        .isEqualTo(new InteractionRoles(Task.GENERATION, false));

    StageSchedule expert =
        StageSchedule.fromExpertCurves(new double[] {0.5, 0.6}, new double[] {0.3, 0.2}, 2);
    ObjectNode config = expert.toJson();
    config.put("bosAsText", true);
    AiaLoss loss = provider.createAia(config);
    assertThat(loss.schedule()).isEqualTo(expert);
    assertThat(config.has("bosAsText")).as("the caller's config is not modified").isTrue();

    assertThatThrownBy(() -> provider.create(JSON.readTree("{\"bosAsText\": \"yes\"}")))
        .hasMessage("bosAsText must be true or false, got \"yes\"");
    assertThatThrownBy(() -> provider.create(JSON.readTree("{\"lamda\": 5}")))
        .hasMessage("Unknown field 'lamda' in aia loss config. Known fields: aggregation, bosAsText, generation, layers, mode, understanding, understandingQueries");
  }

  @Test
  void optionsAreReadFromTheConfigRecordedAndRefusedWhenUnknown() throws Exception {
    AiaLossProvider provider = new AiaLossProvider();
    assertThat(provider.createAia(JSON.createObjectNode()).options()).isEqualTo(AiaOptions.DEFAULTS);
    assertThat(AiaOptions.DEFAULTS.aggregation()).as("the reference code's").isEqualTo(AiaOptions.Aggregation.PER_SAMPLE);
    AiaLoss loss = provider.createAia(JSON.readTree(
        "{\"aggregation\": \"batch-mean\", \"understandingQueries\": \"answer-predictors\", \"bosAsText\": false}"));
    AiaOptions expected = new AiaOptions(AiaOptions.Aggregation.BATCH_MEAN, false, AnswerQueries.PREDICTORS);
    assertThat(loss.options()).isEqualTo(expected);
    assertThat(loss.schedule()).isEqualTo(StageSchedule.paperDefault());

    ObjectNode recorded = AiaLossProvider.withOptions(StageSchedule.paperDefault().toJson(), expected);
    assertThat(provider.createAia(recorded).options()).as("written and read back").isEqualTo(expected);
    assertThat(provider.createAia(recorded).schedule()).isEqualTo(StageSchedule.paperDefault());

    assertThatThrownBy(() -> provider.create(JSON.readTree("{\"aggregation\": \"median\"}")))
        .hasMessage("Unknown AIA aggregation 'median'. Known: per-sample, batch-mean");
    assertThatThrownBy(() -> provider.create(JSON.readTree("{\"understandingQueries\": 3}")))
        .hasMessage("understandingQueries must be a string, got 3");
  }
}
