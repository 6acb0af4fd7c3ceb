package io.outrigger.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Java native deserialization is never used in Outrigger (it is neither cross-language nor safe):
 * fails the build if any module's main code mentions {@code ObjectInputStream} or defines {@code
 * readObject}.
 */
class NoJavaSerializationTest {

    private static final Pattern FORBIDDEN = Pattern.compile("ObjectInputStream|readObject\\s*\\(");

    @Test
    void noMainSourceUsesJavaDeserialization() throws IOException {
        Path root = Path.of("..").toAbsolutePath().normalize();
        List<Path> sources;
        try (Stream<Path> files = Files.walk(root)) {
            sources = files.filter(p -> p.toString().endsWith(".java"))
                    .filter(p -> p.toString().contains("/src/main/java/"))
                    .filter(p -> !p.toString().contains("/target/"))
                    .collect(Collectors.toList());
        }
        assertThat(sources).as("main sources found under %s", root).hasSizeGreaterThan(50);

        List<String> offenders = sources.stream()
                .filter(p -> FORBIDDEN.matcher(read(p)).find())
                .map(p -> root.relativize(p).toString())
                .collect(Collectors.toList());

        assertThat(offenders).as("main sources using Java deserialization").isEmpty();
    }

    private static String read(Path p) {
        try {
            return Files.readString(p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
