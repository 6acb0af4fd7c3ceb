package io.outrigger.spring.boot.internal;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Pattern;

/**
 * A file named by a property: a plain path ({@code /etc/outrigger/server.crt}, {@code
 * certs/server.crt}, relative to the working directory) or a {@code file:} URL ({@code
 * file:/etc/outrigger/server.crt}, {@code file:certs/server.crt}). Other locations, such as {@code
 * classpath:}, are refused: certificates and keys are read again when they change on disk, which a
 * resource inside a jar cannot do.
 */
public final class FileLocation {

    // A URL scheme of two or more characters; one letter followed by ':' is a Windows drive.
    private static final Pattern SCHEME = Pattern.compile("^[A-Za-z][A-Za-z0-9+.-]+:.*");

    private FileLocation() {}

    /**
     * The existing, readable regular file {@code location} names.
     *
     * @param property the property without the {@code outrigger.} prefix, for the message
     * @throws org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException
     *     naming {@code property}
     */
    public static Path resolve(String property, String location) {
        String l = location.strip();
        if (!l.startsWith("file:") && SCHEME.matcher(l).matches()) {
            throw InvalidProperty.of(
                    property,
                    location,
                    "a file path or a file: URL (files are read again when they change on disk, which a "
                            + l.substring(0, l.indexOf(':') + 1) + " resource cannot be)");
        }
        if (l.isEmpty()) {
            throw InvalidProperty.of(property, location, "a file path or a file: URL");
        }
        Path path;
        try {
            String rest = l.startsWith("file:") ? l.substring("file:".length()) : l;
            path = l.startsWith("file://") ? Path.of(URI.create(l)) : Path.of(rest);
        } catch (IllegalArgumentException e) { // InvalidPathException, or a bad file: URI
            throw InvalidProperty.of(property, location, "a file path or a file: URL (" + e.getMessage() + ")");
        }
        if (!Files.isRegularFile(path)) {
            throw InvalidProperty.of(
                    property, location, "an existing file (" + path.toAbsolutePath() + " does not exist)");
        }
        if (!Files.isReadable(path)) {
            throw InvalidProperty.of(property, location, "a file this process may read (" + path + " is not readable)");
        }
        return path;
    }
}
