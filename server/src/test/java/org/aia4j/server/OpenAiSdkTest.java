package org.aia4j.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.JsonValue;
import com.openai.core.http.StreamResponse;
import com.openai.errors.NotFoundException;
import com.openai.errors.UnauthorizedException;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionContentPart;
import com.openai.models.chat.completions.ChatCompletionContentPartImage;
import com.openai.models.chat.completions.ChatCompletionContentPartText;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.images.ImageGenerateParams;
import com.openai.models.images.ImagesResponse;
import com.openai.models.models.Model;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;
import org.aia4j.api.data.UnderstandingSample;
import org.aia4j.api.model.AnswerRequest;
import org.aia4j.api.model.SamplingSettings;
import org.aia4j.onnx.runtime.OnnxUnifiedModel;
import org.aia4j.server.batch.BatchSettings;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The official OpenAI Java SDK, used as any third-party client would (base URL and key only),
 * against the server with an API key: models, chat with an image (plain and streamed), image
 * generation with aia4j's extra settings, and its typed errors.
 */
class OpenAiSdkTest {
  @TempDir
  static Path work;

  static AiaServer server;
  static OpenAIClient client;
  static OnnxUnifiedModel reference;
  static String model;

  @BeforeAll
  static void start() throws Exception {
    server = AiaServer.start(ServerConfig.local(0, BatchSettings.defaults(), work).withApiKey("sk-test"),
        TinyModel::load);
    model = server.ready().get(120, TimeUnit.SECONDS).id();
    client = OpenAIOkHttpClient.builder().baseUrl(server.baseUrl()).apiKey("sk-test").maxRetries(0).build();
    reference = TinyModel.load();
  }

  @AfterAll
  static void stop() {
    client.close();
    server.close();
    reference.close();
  }

  static ChatCompletionCreateParams question(UnderstandingSample sample) {
    return ChatCompletionCreateParams.builder()
        .model(model)
        .addSystemMessage("You answer questions about images.")
        .addUserMessageOfArrayOfContentParts(List.of(
            ChatCompletionContentPart.ofText(ChatCompletionContentPartText.builder().text(sample.prompt()).build()),
            ChatCompletionContentPart.ofImageUrl(ChatCompletionContentPartImage.builder()
                .imageUrl(ChatCompletionContentPartImage.ImageUrl.builder().url(Http.dataUrl(sample.image(), "png"))
                    .detail(ChatCompletionContentPartImage.ImageUrl.Detail.LOW).build())
                .build())))
        .maxCompletionTokens(10)
        .temperature(0.0)
        .seed(1)
        .build();
  }

  @Test
  void listsTheServedModel() {
    List<Model> models = client.models().list().data();
    assertThat(models).extracting(Model::id).containsExactly(model);
    assertThat(client.models().retrieve(model).ownedBy()).isEqualTo("aia4j");
  }

  @Test
  void chatsAboutAnImage() {
    UnderstandingSample sample = TinyModel.DATA.understanding(9);
    ChatCompletion completion = client.chat().completions().create(question(sample));
    String expected = reference.answer(List.of(new AnswerRequest(sample.image(), sample.prompt(), 10,
        SamplingSettings.greedy()))).get(0);
    assertThat(completion.choices()).hasSize(1);
    assertThat(completion.choices().get(0).message().content()).contains(expected);
    assertThat(completion.model()).isEqualTo(model);
    assertThat(completion.usage().orElseThrow().promptTokens())
        .isEqualTo(reference.prompts().understandingPrefix(sample.image(), sample.prompt()).length);
    assertThat(completion.choices().get(0).finishReason()).isIn(ChatCompletion.Choice.FinishReason.STOP,
        ChatCompletion.Choice.FinishReason.LENGTH);
  }

  @Test
  void streamsAChat() {
    UnderstandingSample sample = TinyModel.DATA.understanding(10);
    String whole = client.chat().completions().create(question(sample)).choices().get(0).message().content()
        .orElseThrow();
    StringBuilder streamed = new StringBuilder();
    try (StreamResponse<ChatCompletionChunk> stream = client.chat().completions().createStreaming(question(sample))) {
      stream.stream().forEach(chunk -> chunk.choices().forEach(c -> c.delta().content().ifPresent(streamed::append)));
    }
    assertThat(streamed.toString()).isEqualTo(whole);
  }

  @Test
  void generatesImagesWithExtraSettings() throws Exception {
    ImageGenerateParams params = ImageGenerateParams.builder()
        .prompt("a blue circle")
        .n(2)
        .responseFormat(ImageGenerateParams.ResponseFormat.B64_JSON)
        .putAdditionalBodyProperty("seed", JsonValue.from(11))
        .putAdditionalBodyProperty("guidance_scale", JsonValue.from(2.5))
        .putAdditionalBodyProperty("top_k", JsonValue.from(8))
        .build();
    ImagesResponse response = client.images().generate(params);
    assertThat(response.data().orElseThrow()).hasSize(2);
    BufferedImage image = ImageIO.read(new ByteArrayInputStream(Base64.getDecoder().decode(
        response.data().orElseThrow().get(0).b64Json().orElseThrow())));
    assertThat(image.getWidth()).isEqualTo(reference.prompts().image().imageSize());
    assertThat(response._additionalProperties().get("seed").convert(Long.class)).isEqualTo(11L);
    assertThat(response._additionalProperties().get("guidance_scale").convert(Double.class)).isEqualTo(2.5);
    assertThat(response._additionalProperties().get("top_k").convert(Integer.class)).isEqualTo(8);
    assertThat(client.images().generate(params).data().orElseThrow().get(1).b64Json())
        .isEqualTo(response.data().orElseThrow().get(1).b64Json());
  }

  @Test
  void errorsAreTheSdksTypedExceptions() {
    ChatCompletionCreateParams unknown = question(TinyModel.DATA.understanding(2)).toBuilder().model("gpt-4o").build();
    assertThatThrownBy(() -> client.chat().completions().create(unknown)).isInstanceOf(NotFoundException.class)
        .hasMessageContaining("gpt-4o");
    OpenAIClient wrongKey = OpenAIOkHttpClient.builder().baseUrl(server.baseUrl()).apiKey("sk-wrong")
        .maxRetries(0).build();
    try {
      assertThatThrownBy(() -> wrongKey.models().list()).isInstanceOf(UnauthorizedException.class);
    } finally {
      wrongKey.close();
    }
  }
}
