package io.outrigger.registry.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.outrigger.core.registry.ServiceInstance;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileNodeCacheTest {

    @TempDir
    Path dir;

    private final Clock clock = Clock.fixed(Instant.parse("2026-11-21T10:00:00Z"), ZoneOffset.UTC);

    private static List<ServiceInstance> instances(int n) {
        return IntStream.rangeClosed(1, n)
                .mapToObj(i -> ServiceInstance.builder("demo.UserService", "127.0.0.1", 7000 + i)
                        .tags("canary")
                        .metadata("k", "v" + i)
                        .build())
                .toList();
    }

    @Test
    void writesAndReadsBackAtomically() throws Exception {
        FileNodeCache cache = new FileNodeCache(dir.resolve("nested"), clock);
        assertThat(cache.read("demo.UserService")).isInstanceOf(FileNodeCache.Missing.class);

        cache.write("demo.UserService", instances(3));

        FileNodeCache.ReadResult read = cache.read("demo.UserService");
        assertThat(read).isInstanceOf(FileNodeCache.Loaded.class);
        FileNodeCache.Loaded loaded = (FileNodeCache.Loaded) read;
        assertThat(loaded.instances()).isEqualTo(instances(3));
        assertThat(loaded.writtenAt()).isEqualTo(clock.instant());
        assertThat(loaded.file())
                .isEqualTo(dir.resolve("nested/demo.UserService.json").toAbsolutePath());
        try (Stream<Path> files = Files.list(dir.resolve("nested"))) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactly("demo.UserService.json");
        }
        assertThat(Files.readString(loaded.file()))
                .contains("\"format\" : 1")
                .contains("\"writtenAt\" : \"2026-11-21T10:00:00Z\"");
    }

    @Test
    void fileNamesAreSafeAndDistinct() {
        assertThat(FileNodeCache.fileName("demo.UserService")).isEqualTo("demo.UserService.json");
        String a = FileNodeCache.fileName("a b");
        String b = FileNodeCache.fileName("a_b");
        assertThat(a).startsWith("a_b-").endsWith(".json").isNotEqualTo(b);
        assertThat(FileNodeCache.fileName("..\\x")).doesNotContain("\\").doesNotStartWith(".");
        assertThat(FileNodeCache.fileName("x".repeat(400)).length()).isLessThan(200);
    }

    @Test
    void damagedFilesAreCorruptWithAReason() throws Exception {
        FileNodeCache cache = new FileNodeCache(dir, clock);
        cache.write("demo.UserService", instances(2));
        Path file = cache.fileFor("demo.UserService");
        String good = Files.readString(file);

        Files.writeString(file, good.substring(0, good.length() / 2)); // a torn write
        assertThat(cache.read("demo.UserService"))
                .isInstanceOfSatisfying(
                        FileNodeCache.Corrupt.class, c -> assertThat(c.reason()).contains("not valid JSON"));

        Files.writeString(file, good.replace("\"format\" : 1", "\"format\" : 9"));
        assertThat(cache.read("demo.UserService"))
                .isInstanceOfSatisfying(
                        FileNodeCache.Corrupt.class, c -> assertThat(c.reason()).contains("format is 9"));

        Files.writeString(file, good.replace("\"port\" : 7001", "\"port\" : 70001"));
        assertThat(cache.read("demo.UserService"))
                .isInstanceOfSatisfying(
                        FileNodeCache.Corrupt.class,
                        c -> assertThat(c.reason()).contains("instances[0]").contains("port"));

        Files.write(file, new byte[0]);
        assertThat(cache.read("demo.UserService")).isInstanceOf(FileNodeCache.Corrupt.class);
    }

    @Test
    void tempFilesOfDeadProcessesAreSweptLiveOnesKept() throws Exception {
        Process finished = new ProcessBuilder("true").start();
        finished.waitFor();
        Path dead = dir.resolve("demo.UserService.json." + finished.pid() + ".1.tmp");
        Path live = dir.resolve("demo.Other.json." + ProcessHandle.current().pid() + ".999999.tmp");
        Files.writeString(dead, "{half");
        Files.writeString(live, "{half");

        new FileNodeCache(dir, clock).write("demo.UserService", instances(1));

        assertThat(dead).doesNotExist();
        assertThat(live).exists();
    }

    @Test
    void processesSharingADirectoryNeverTearAFile() throws Exception {
        // Two caches stand for two JVMs on one host: distinct temp names, one atomic rename each.
        FileNodeCache one = new FileNodeCache(dir, clock);
        FileNodeCache two = new FileNodeCache(dir, clock);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<?>> writes = new ArrayList<>();
            for (int i = 1; i <= 40; i++) {
                int n = i;
                writes.add(pool.submit(() -> {
                    (n % 2 == 0 ? one : two).write("demo.UserService", instances(n % 7 + 1));
                    return null;
                }));
                writes.add(pool.submit(() -> one.read("demo.UserService")));
            }
            for (Future<?> f : writes) {
                Object result = f.get();
                if (result instanceof FileNodeCache.ReadResult r) {
                    assertThat(r).isNotInstanceOf(FileNodeCache.Corrupt.class);
                }
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(two.read("demo.UserService")).isInstanceOf(FileNodeCache.Loaded.class);
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files).hasSize(1); // no temp file left behind
        }
    }
}
