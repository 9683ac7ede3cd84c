package org.aia4j.evaluation.io;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Errors for text files that are not UTF-8: the JDK's own ("Input length = 1") names neither
 * the file nor the place nor what to do.
 */
public final class TextFiles {
  private TextFiles() {}

  /**
   * Finds the first byte of {@code path} that is not UTF-8 (a reader's buffer runs ahead, so the
   * reader cannot say where) and names it.
   *
   * @return an error naming the file, the line and byte offset, and the fix
   */
  public static IOException notUtf8(Path path, CharacterCodingException cause) {
    long offset = -1;
    long line = 1;
    try (InputStream in = Files.newInputStream(path)) {
      CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
      ByteBuffer bytes = ByteBuffer.allocate(1 << 16);
      CharBuffer chars = CharBuffer.allocate(1 << 16);
      long consumed = 0;
      boolean end = false;
      while (offset < 0 && !end) {
        int n = in.read(bytes.array(), bytes.position(), bytes.remaining());
        end = n < 0;
        if (n > 0) {
          bytes.position(bytes.position() + n);
        }
        bytes.flip();
        int start = bytes.position();
        CoderResult result = decoder.decode(bytes, chars, end);
        for (int i = start; i < bytes.position(); i++) {
          if (bytes.get(i) == '\n') {
            line++;
          }
        }
        if (result.isError()) {
          offset = consumed + bytes.position();
        }
        consumed += bytes.position();
        bytes.compact();
        chars.clear();
      }
    } catch (IOException e) {
      offset = -1;
    }
    return new IOException(path + (offset >= 0 ? " line " + line + " (byte " + offset + ")" : "")
        + ": not UTF-8 text; save or convert the file as UTF-8 (e.g. iconv -f latin1 -t utf-8)", cause);
  }

  /** Reads a whole UTF-8 file, refusing another encoding with {@link #notUtf8}. */
  public static String readUtf8(Path path) throws IOException {
    try {
      return Files.readString(path, StandardCharsets.UTF_8);
    } catch (CharacterCodingException e) {
      throw notUtf8(path, e);
    }
  }
}
