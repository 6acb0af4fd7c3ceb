package io.outrigger.spring.boot.internal;

import io.outrigger.spring.boot.OutriggerProperties;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The bearer token the clients send: {@code outrigger.client.bearer-token}, or the content of {@code
 * outrigger.client.bearer-token-file} (surrounding whitespace, such as a final newline, removed). The
 * file is read when a client is built. Token values never appear in messages.
 */
public final class BearerTokenSource {

    private static final String TOKEN = "client.bearer-token";
    private static final String FILE = "client.bearer-token-file";

    private BearerTokenSource() {}

    /**
     * The token, or null when neither property is set.
     *
     * @throws org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException
     *     naming the property that is wrong
     */
    public static String token(OutriggerProperties.Client c) {
        String token = c.getBearerToken();
        String file = c.getBearerTokenFile();
        if (token != null && file != null) {
            throw InvalidProperty.of(FILE, file, "either outrigger." + TOKEN + " or outrigger." + FILE + ", not both");
        }
        String property = TOKEN;
        if (file != null) {
            property = FILE;
            Path path = FileLocation.resolve(FILE, file);
            try {
                token = Files.readString(path, StandardCharsets.UTF_8).strip();
            } catch (IOException e) {
                throw InvalidProperty.of(FILE, file, "a readable file holding the token (" + e.getMessage() + ")");
            }
        }
        if (token == null) {
            return null;
        }
        if (token.isEmpty()) {
            throw InvalidProperty.of(
                    property,
                    file,
                    file == null ? "a token (unset the property to send none)" : "a file holding a token; it is empty");
        }
        for (int i = 0; i < token.length(); i++) {
            char ch = token.charAt(i);
            if (ch <= ' ' || ch == 0x7f) {
                throw InvalidProperty.of(
                        property,
                        file == null ? InvalidProperty.HIDDEN : file,
                        "a single word (the token holds whitespace or a control character at index " + i + ")");
            }
        }
        return token;
    }
}
