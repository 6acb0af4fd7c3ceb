package io.outrigger.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * rpc-core's runtime dependency tree grows only on purpose: every artifact in it reaches every user
 * of rpc-core. Compares the tree Maven resolved (written by the maven-dependency-plugin's {@code
 * list} goal before the tests, see {@code rpc-core/pom.xml}) with {@code
 * src/test/resources/runtime-dependencies.txt}, and names what appeared and what disappeared.
 */
class RuntimeDependenciesTest {

    private static final String EXPECTED = "runtime-dependencies.txt";
    private static final String EXPECTED_SOURCE = "rpc-core/src/test/resources/" + EXPECTED;

    @Test
    void runtimeDependenciesAreTheListedOnes() throws IOException {
        String resolvedList = System.getProperty("outrigger.runtimeDependencies");
        assumeTrue(resolvedList != null, "run by Maven only: the resolved list is written during the build");
        Path resolvedFile = Path.of(resolvedList);
        assertThat(resolvedFile)
                .as("the resolved list, written in generate-test-resources by maven-dependency-plugin:list")
                .exists();

        Set<String> resolved = ResolvedList.parse(Files.readAllLines(resolvedFile, StandardCharsets.UTF_8));
        Set<String> expected = expected();

        Set<String> appeared = difference(resolved, expected);
        Set<String> disappeared = difference(expected, resolved);
        if (!appeared.isEmpty() || !disappeared.isEmpty()) {
            fail(String.format(
                    "rpc-core's runtime dependencies changed%n"
                            + "  appeared:    %s%n"
                            + "  disappeared: %s%n"
                            + "Every runtime dependency of rpc-core reaches every user of it. If the change is"
                            + " deliberate, replace the artifact lines of %s (below its header) with the lines"
                            + " below, and say in the commit why users need it; %s has the resolved list, and"
                            + " ./mvnw -pl rpc-core dependency:tree -Dscope=runtime shows who brings what:%n%s",
                    appeared,
                    disappeared,
                    EXPECTED_SOURCE,
                    resolvedFile,
                    String.join(System.lineSeparator(), resolved)));
        }
    }

    private static Set<String> expected() throws IOException {
        try (InputStream in = RuntimeDependenciesTest.class.getClassLoader().getResourceAsStream(EXPECTED)) {
            assertThat(in).as(EXPECTED_SOURCE).isNotNull();
            List<String> lines = new String(in.readAllBytes(), StandardCharsets.UTF_8)
                    .lines()
                    .collect(Collectors.toList());
            return lines.stream()
                    .map(String::strip)
                    .filter(line -> !line.isEmpty() && !line.startsWith("#"))
                    .collect(Collectors.toCollection(TreeSet::new));
        }
    }

    private static Set<String> difference(Set<String> a, Set<String> b) {
        Set<String> result = new TreeSet<>(a);
        result.removeAll(b);
        return result;
    }
}
