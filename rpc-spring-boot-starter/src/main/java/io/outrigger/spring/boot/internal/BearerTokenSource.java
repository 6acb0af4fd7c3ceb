package io.outrigger.spring.boot.internal;

import io.outrigger.core.Interceptor;
import io.outrigger.core.auth.BearerToken;
import io.outrigger.spring.boot.OutriggerProperties;
import java.nio.file.Path;

/**
 * The bearer token the clients send: {@code outrigger.client.bearer-token}, or the content of {@code
 * outrigger.client.bearer-token-file} (surrounding whitespace, such as a final newline, removed). The
 * file is read when a client is built and again whenever it changes (checked at most once a second,
 * {@link BearerToken#fromFile}), so a rotated token is sent without a restart. Token values never
 * appear in messages.
 */
public final class BearerTokenSource {

    private static final String TOKEN = "client.bearer-token";
    private static final String FILE = "client.bearer-token-file";

    private BearerTokenSource() {}

    /**
     * The interceptor sending the token, or null when neither property is set.
     *
     * @throws org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException
     *     naming the property that is wrong
     */
    public static Interceptor interceptor(OutriggerProperties.Client c) {
        String token = c.getBearerToken();
        String file = c.getBearerTokenFile();
        if (token != null && file != null) {
            throw InvalidProperty.of(FILE, file, "either outrigger." + TOKEN + " or outrigger." + FILE + ", not both");
        }
        if (file != null) {
            Path path = FileLocation.resolve(FILE, file);
            try {
                return BearerToken.interceptor(BearerToken.fromFile(path, "outrigger." + FILE));
            } catch (IllegalArgumentException e) {
                // The message names the file and why, never its content.
                throw InvalidProperty.of(FILE, file, "a file holding one token (" + e.getMessage() + ")");
            }
        }
        if (token == null) {
            return null;
        }
        if (token.isEmpty()) {
            throw InvalidProperty.of(TOKEN, null, "a token (unset the property to send none)");
        }
        for (int i = 0; i < token.length(); i++) {
            char ch = token.charAt(i);
            if (ch <= ' ' || ch == 0x7f) {
                throw InvalidProperty.of(
                        TOKEN,
                        InvalidProperty.HIDDEN,
                        "a single word (the token holds whitespace or a control character at index " + i + ")");
            }
        }
        return BearerToken.interceptor(token);
    }
}
