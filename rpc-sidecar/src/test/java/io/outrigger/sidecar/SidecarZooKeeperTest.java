package io.outrigger.sidecar;

import static io.outrigger.serialization.testing.TestMessages.echoRequest;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.outrigger.core.client.RpcClient;
import io.outrigger.core.server.RpcServer;
import io.outrigger.core.testing.EchoService;
import io.outrigger.core.testing.EchoServiceImpl;
import io.outrigger.registry.ZooKeeperRegistry;
import io.outrigger.serialization.testing.proto.EchoReply;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.curator.test.InstanceSpec;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The sidecar on a real ZooKeeper ({@code --registry zookeeper://...}): calls survive ZooKeeper
 * stopping, a restart during an outage serves from the file cache, exports are found by Java callers.
 */
class SidecarZooKeeperTest {

    static final String ECHO = "/rpc/test.EchoService/echo";

    @TempDir
    Path cacheDir;

    @TempDir
    Path providerCache;

    TestingServer zk;
    ZooKeeperRegistry providerRegistry;
    EchoServiceImpl impl;
    RpcServer provider;
    final HttpClient http =
            HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @BeforeEach
    void start() throws Exception {
        zk = new TestingServer(
                new InstanceSpec(
                        null, -1, -1, -1, true, -1, 500, -1, Map.of("clientPortAddress", "127.0.0.1"), "127.0.0.1"),
                true);
        providerRegistry = ZooKeeperRegistry.builder(zk.getConnectString())
                .sessionTimeout(Duration.ofSeconds(2))
                .connectionTimeout(Duration.ofSeconds(1))
                .startupWait(Duration.ofMillis(500))
                .cacheDirectory(providerCache)
                .build();
        impl = new EchoServiceImpl();
        provider = RpcServer.builder()
                .host("127.0.0.1")
                .announceHost("127.0.0.1")
                .port(0)
                .propagationDelay(Duration.ZERO)
                .registry(providerRegistry)
                .service(EchoService.class, impl)
                .build()
                .start();
    }

    @AfterEach
    void stop() throws Exception {
        provider.shutdown(Duration.ofSeconds(2));
        providerRegistry.close();
        zk.close();
    }

    Sidecar sidecar(String... extra) {
        String[] base = {
            "--registry",
            "zookeeper://" + zk.getConnectString(),
            "--http",
            "127.0.0.1:0",
            "--cache-dir",
            cacheDir.toString()
        };
        String[] args = new String[base.length + extra.length];
        System.arraycopy(base, 0, args, 0, base.length);
        System.arraycopy(extra, 0, args, base.length, extra.length);
        return Sidecar.start(SidecarConfig.parse(args));
    }

    HttpResponse<byte[]> call(Sidecar sidecar, String text) throws Exception {
        return http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + sidecar.httpPort() + ECHO))
                        .header("Content-Type", "application/x-protobuf")
                        .header("X-Outrigger-Timeout-Ms", "10000")
                        .POST(HttpRequest.BodyPublishers.ofByteArray(
                                echoRequest(text).toByteArray()))
                        .build(),
                HttpResponse.BodyHandlers.ofByteArray());
    }

    String admin(Sidecar sidecar) throws Exception {
        return http.send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + sidecar.httpPort() + "/admin"))
                                .build(),
                        HttpResponse.BodyHandlers.ofString())
                .body();
    }

    @Test
    void callsThroughTheSidecarKeepSucceedingWhileZooKeeperIsStopped() throws Exception {
        try (Sidecar sidecar = sidecar()) {
            assertThat(call(sidecar, "first").statusCode()).isEqualTo(200);
            AtomicBoolean running = new AtomicBoolean(true);
            AtomicInteger made = new AtomicInteger();
            AtomicInteger failed = new AtomicInteger();
            Thread loop = new Thread(() -> {
                while (running.get()) {
                    made.incrementAndGet();
                    try {
                        HttpResponse<byte[]> r = call(sidecar, "loop");
                        if (r.statusCode() != 200
                                || !EchoReply.parseFrom(r.body()).getText().equals("loop")) {
                            failed.incrementAndGet();
                        }
                    } catch (Exception e) {
                        failed.incrementAndGet();
                    }
                }
            });
            loop.start();
            int during;
            try {
                await().atMost(Duration.ofSeconds(10)).until(() -> made.get() >= 20); // calls flowing
                int before = made.get();
                zk.stop();
                Thread.sleep(4_000); // the outage itself: longer than the 2 s session timeout
                during = made.get() - before;
                zk.restart();
                await().atMost(Duration.ofSeconds(10)).until(providerRegistry::connected);
                int reconnected = made.get();
                await().atMost(Duration.ofSeconds(10)).until(() -> made.get() >= reconnected + 20); // and after
            } finally {
                running.set(false);
                loop.join();
            }
            System.out.println("[sidecar] ZooKeeper stopped 4 s: HTTP calls through the sidecar during the outage "
                    + during + ", in the whole run " + made.get() + ", failed " + failed.get());
            assertThat(during).isPositive();
            assertThat(failed.get()).isZero();
        }
    }

    @Test
    void aSidecarRestartedWhileZooKeeperIsDownServesFromItsFileCache() throws Exception {
        try (Sidecar first = sidecar()) {
            assertThat(call(first, "fill the cache").statusCode()).isEqualTo(200);
            await().atMost(Duration.ofSeconds(5)).until(() -> Files.exists(cacheDir.resolve("test.EchoService.json")));
            assertThat(admin(first)).contains("\"source\":\"registry\"");
        }
        zk.stop();
        long start = System.nanoTime();
        try (Sidecar restarted = sidecar()) {
            HttpResponse<byte[]> r = call(restarted, "from the file");
            long millis = (System.nanoTime() - start) / 1_000_000;
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(EchoReply.parseFrom(r.body()).getText()).isEqualTo("from the file");
            String admin = admin(restarted);
            System.out.println("[sidecar] restarted with ZooKeeper down: first call answered " + millis
                    + " ms after start (startup wait 3 s); /admin: " + admin);
            assertThat(admin)
                    .contains("\"registry\":\"zookeeper://" + zk.getConnectString() + "\"")
                    .contains("\"source\":\"file-cache\"")
                    .contains("\"id\":\"127.0.0.1:" + provider.port() + "\"");
        }
    }

    @Test
    void anInboundExportIsRegisteredInZooKeeperAndAJavaCallerFindsIt() throws Exception {
        provider.shutdown(Duration.ofSeconds(2)); // only the python app provides test.EchoService now
        try (Python.Provider app = Python.Provider.start("py");
                Sidecar sidecar = sidecar(
                        "--rpc", "127.0.0.1:0",
                        "--announce-host", "127.0.0.1",
                        "--export", "test.EchoService=" + app.url(),
                        "--health-interval-ms", "200");
                ZooKeeperRegistry consumer = ZooKeeperRegistry.builder(zk.getConnectString())
                        .cacheDirectory(providerCache.resolve("consumer"))
                        .build();
                RpcClient client = RpcClient.builder().registry(consumer).build()) {
            EchoService echo = client.refer(EchoService.class);
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> consumer.instances("test.EchoService").stream()
                            .anyMatch(i -> i.port() == sidecar.rpcPort()));
            assertThat(consumer.instances("test.EchoService")).singleElement().satisfies(i -> {
                assertThat(i.address()).isEqualTo("127.0.0.1:" + sidecar.rpcPort());
                assertThat(i.metadata()).containsEntry("sidecar", "true");
            });
            EchoReply reply = echo.echo(echoRequest("hello python"));
            assertThat(reply.getText()).isEqualTo("hello python");
            assertThat(reply.getData().toStringUtf8()).contains("\"provider\": \"py\"");
        }
    }
}
