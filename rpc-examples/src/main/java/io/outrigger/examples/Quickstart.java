package io.outrigger.examples;

import io.outrigger.core.RpcException;
import io.outrigger.core.client.RpcClient;
import io.outrigger.core.server.RpcServer;
import io.outrigger.core.server.ServiceReflection;
import io.outrigger.examples.proto.GetUserRequest;
import io.outrigger.examples.proto.ListUsersReply;
import io.outrigger.examples.proto.ListUsersRequest;
import io.outrigger.examples.proto.User;
import io.outrigger.examples.thrift.gen.StockReply;
import io.outrigger.examples.thrift.gen.StockRequest;
import io.outrigger.governance.ClientGovernance;
import io.outrigger.governance.LiveRules;
import io.outrigger.observability.AdminSection;
import io.outrigger.observability.AdminSections;
import io.outrigger.observability.AdminServer;
import io.outrigger.observability.OutriggerTelemetry;
import io.outrigger.registry.EmbeddedZooKeeper;
import io.outrigger.registry.ZooKeeperRegistry;
import io.outrigger.sidecar.Sidecar;
import io.outrigger.sidecar.SidecarConfig;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.HdrHistogram.Recorder;

/**
 * The quickstart, all on 127.0.0.1: a ZooKeeper (embedded unless {@code --registry HOST:PORT} names
 * one), two providers of a protobuf and a Thrift service that register in it (versions 1.4.0 and
 * 2.0.0), a consumer that finds them there with governance (peak-EWMA balancing, failover, live
 * rules) and OpenTelemetry instrumentation, a canary split applied live by writing a rule, the
 * sidecar with a Python caller, the admin endpoint, and a latency summary. Exits 0 when every call
 * behaved, 1 otherwise.
 */
public final class Quickstart {

    private static int failures;

    private Quickstart() {}

    public static void main(String[] args) throws Exception {
        if (run(args) > 0) {
            say("FAILED: %d checks went wrong", failures);
            System.exit(1);
        }
        say("OK");
    }

    /**
     * Runs the quickstart.
     *
     * @param args {@code [--registry HOST:PORT] [CALLS]}
     * @return the number of checks that went wrong (0: all good)
     */
    public static int run(String... args) throws Exception {
        failures = 0;
        String registryAddress = null;
        int calls = 20_000;
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--registry") && i + 1 < args.length) {
                registryAddress = args[++i];
            } else {
                calls = Integer.parseInt(args[i]);
            }
        }
        EmbeddedZooKeeper zooKeeper = null;
        if (registryAddress == null) {
            zooKeeper = EmbeddedZooKeeper.start();
            registryAddress = zooKeeper.connectString();
            say("registry: none configured, started an embedded ZooKeeper at %s", registryAddress);
        } else {
            say("registry: ZooKeeper at %s", registryAddress);
        }
        Path cacheDir = Files.createTempDirectory("outrigger-quickstart-cache");
        List<AutoCloseable> closeLast = new ArrayList<>();
        List<RpcServer> providers = new ArrayList<>();
        try {
            for (int i = 1; i <= 2; i++) {
                providers.add(startProvider(i, registryAddress, cacheDir, closeLast));
            }
            ZooKeeperRegistry registry = registry(registryAddress, cacheDir);
            closeLast.add(registry);
            OutriggerTelemetry telemetry = OutriggerTelemetry.global();
            ClientGovernance governance = ClientGovernance.builder()
                    .rules(LiveRules.from(registry.ruleSource()))
                    .breakerListener(telemetry::recordBreakerTransition)
                    .build();
            closeLast.add(telemetry.observeBreakerStates(governance::breakerStates));
            try (RpcClient client = telemetry
                    .instrument(governance.applyTo(RpcClient.builder().registry(registry)))
                    .defaultTimeout(Duration.ofSeconds(2))
                    .build()) {
                UserService users = client.refer(UserService.class);
                basicCalls(users, client.refer(InventoryService.class));
                stream(users);
                spread(users, 200);
                canary(users, registry, 2_000);
                sidecar(registryAddress, cacheDir);
                admin(providers.get(0), client, registry, governance);
                concurrentCalls(users, calls, 32);
            }
        } finally {
            for (RpcServer provider : providers) {
                int lost = provider.shutdown(Duration.ofSeconds(5));
                say(
                        "provider on port %d stopped gracefully: unregistered, drained (%d calls lost)",
                        provider.port(), lost);
            }
            for (AutoCloseable c : closeLast) {
                c.close();
            }
            if (zooKeeper != null) {
                zooKeeper.close();
            }
        }
        return failures;
    }

    private static ZooKeeperRegistry registry(String address, Path cacheDir) {
        return ZooKeeperRegistry.builder(address).cacheDirectory(cacheDir).build();
    }

    private static RpcServer startProvider(
            int n, String registryAddress, Path cacheDir, List<AutoCloseable> closeLast) {
        ZooKeeperRegistry registry = registry(registryAddress, cacheDir);
        closeLast.add(registry);
        DemoProvider impl = new DemoProvider("provider-" + n);
        String version = n == 1 ? "1.4.0" : "2.0.0";
        RpcServer server = RpcServer.builder()
                .host("127.0.0.1")
                .service(UserService.class, impl)
                .service(InventoryService.class, impl)
                // Publishes the protobuf descriptors, so the sidecar can accept JSON for this service.
                .interceptor(ServiceReflection.of(UserService.class))
                .registry(registry)
                .instance(b -> b.version(version))
                .propagationDelay(Duration.ofMillis(300))
                .build()
                .start();
        say(
                "provider-%d (version %s) serving %s on 127.0.0.1:%d, registered in ZooKeeper",
                n, version, server.serviceNames(), server.port());
        return server;
    }

    private static void basicCalls(UserService users, InventoryService inventory) throws Exception {
        User user = users.getUser(GetUserRequest.newBuilder().setId(42).build());
        say("sync    getUser(42)        -> %s <%s>", user.getName(), user.getEmail());

        ListUsersReply page = users.listUsers(
                        ListUsersRequest.newBuilder().setPage(2).setPageSize(15).build())
                .toCompletableFuture()
                .get(5, TimeUnit.SECONDS);
        say(
                "async   listUsers(page 2)  -> %d users, first %s, of %d",
                page.getUsersCount(), page.getUsers(0).getName(), page.getTotal());

        StockReply stock = inventory.checkStock(new StockRequest().setSku("OUT-42"));
        say("thrift  checkStock(OUT-42) -> %d available at %s", stock.getAvailable(), stock.getWarehouse());

        try {
            users.getUser(GetUserRequest.newBuilder().setId(-1).build());
            say("error   getUser(-1)        -> no error?");
            failures++;
        } catch (RpcException e) {
            say("error   getUser(-1)        -> %s", e.status());
        }
    }

    /** A server stream: every user from page 60 on (100 of them), taken 10 at a time. */
    private static void stream(UserService users) throws Exception {
        CompletableFuture<List<User>> all = new CompletableFuture<>();
        users.streamUsers(ListUsersRequest.newBuilder()
                        .setPage(60)
                        .setPageSize(15)
                        .build())
                .subscribe(new Flow.Subscriber<User>() {
                    final List<User> got = new ArrayList<>();
                    Flow.Subscription subscription;

                    @Override
                    public void onSubscribe(Flow.Subscription s) {
                        subscription = s;
                        s.request(10);
                    }

                    @Override
                    public void onNext(User user) {
                        got.add(user);
                        if (got.size() % 10 == 0) {
                            subscription.request(10); // the provider waits for this: back-pressure
                        }
                    }

                    @Override
                    public void onError(Throwable t) {
                        all.completeExceptionally(t);
                    }

                    @Override
                    public void onComplete() {
                        all.complete(got);
                    }
                });
        List<User> got = all.get(10, TimeUnit.SECONDS);
        boolean inOrder = true;
        for (int i = 0; i < got.size(); i++) {
            inOrder &= got.get(i).getId() == 901 + i;
        }
        say(
                "stream  streamUsers(page 60) -> %d users, %s to %s, %s",
                got.size(),
                got.isEmpty() ? "-" : got.get(0).getName(),
                got.isEmpty() ? "-" : got.get(got.size() - 1).getName(),
                inOrder ? "in order" : "OUT OF ORDER");
        if (got.size() != 100 || !inOrder) {
            failures++;
        }
    }

    /** Counts which provider answered {@code n} calls. */
    private static Map<String, Integer> servedBy(UserService users, int n) {
        Map<String, Integer> counts = new TreeMap<>();
        for (int i = 0; i < n; i++) {
            User u = users.getUser(
                    GetUserRequest.newBuilder().setId(1 + i % 1000).build());
            counts.merge(u.getRoles(1).substring("served-by-".length()), 1, Integer::sum);
        }
        return counts;
    }

    /**
     * Shows how the balancer spreads sequential calls. Not a check: peak EWMA may send them all to the
     * provider that answered fastest so far; the canary step checks that both providers serve.
     */
    private static void spread(UserService users, int n) {
        Map<String, Integer> counts = servedBy(users, n);
        say("balance %d calls over the providers found in ZooKeeper (peak EWMA favours the faster) -> %s", n, counts);
    }

    /** Writes a rule sending 10% to version 2.* and the rest to 1.*, measures it, then removes it. */
    private static void canary(UserService users, ZooKeeperRegistry registry, int n) throws InterruptedException {
        String rule = "{\"description\": \"quickstart canary\", \"routing\": {\"versions\": [\"1.*\", \"2.*\"],"
                + " \"splits\": [{\"version\": \"2.*\", \"percent\": 10}]}}";
        long start = System.nanoTime();
        registry.ruleSource().publish("demo.UserService", rule);
        // The rule arrives by a ZooKeeper watch; wait until calls show it (at most a few seconds).
        Map<String, Integer> counts = Map.of();
        for (int i = 0; i < 50; i++) {
            counts = servedBy(users, 50);
            int canary = counts.getOrDefault("provider-2", 0);
            if (canary > 0 && canary < 20) {
                break;
            }
            Thread.sleep(100);
        }
        long appliedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        counts = servedBy(users, n);
        double share = 100.0 * counts.getOrDefault("provider-2", 0) / n;
        say(
                "canary  rule {versions 1.*/2.*, 10%% to 2.*} written to ZooKeeper, in force within %d ms;"
                        + " %d calls -> %s = %.1f%% to 2.0.0",
                appliedMillis, n, counts, share);
        if (share < 5 || share > 15) {
            failures++;
        }
        registry.ruleSource().delete("demo.UserService");
    }

    /** Starts the sidecar on the same registry and calls through it from Python. */
    private static void sidecar(String registryAddress, Path cacheDir) throws Exception {
        // From the repository root (quickstart.sh) or from this module (its test).
        Path caller = Path.of("rpc-examples", "python", "caller.py");
        if (!Files.exists(caller)) {
            caller = Path.of("python", "caller.py");
        }
        ZooKeeperRegistry registry = registry(registryAddress, cacheDir);
        try (Sidecar sidecar =
                Sidecar.start(SidecarConfig.builder().http("127.0.0.1:0").build(), registry)) {
            String address = "127.0.0.1:" + sidecar.httpPort();
            say("sidecar HTTP endpoint on %s", address);
            if (!Files.exists(caller)) {
                say("sidecar (skipped the Python caller: run from the repository root to find %s)", caller);
                return;
            }
            Process python = new ProcessBuilder("python3", caller.toString(), address)
                    .redirectErrorStream(true)
                    .start();
            String out = new String(python.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            boolean done = python.waitFor(30, TimeUnit.SECONDS);
            for (String line : out.strip().split("\n")) {
                say("python  %s", line);
            }
            if (!done || python.exitValue() != 0 || !out.contains("protobuf: 200") || !out.contains("json:     200")) {
                failures++;
            }
        } catch (IOException e) {
            say("sidecar python3 caller could not run: %s", e.getMessage());
            failures++;
        } finally {
            registry.close();
        }
    }

    private static void admin(
            RpcServer provider, RpcClient client, ZooKeeperRegistry registry, ClientGovernance governance)
            throws Exception {
        try (AdminServer admin = AdminServer.builder()
                .section(AdminSections.exported(provider))
                .section(AdminSections.referenced(
                        client, service -> registry.origin(service).name().toLowerCase()))
                .section(new AdminSection("breakers", governance::breakerStates))
                .build()
                .start()) {
            URI uri = URI.create("http://127.0.0.1:" + admin.port() + "/admin/referenced");
            HttpResponse<String> state = HttpClient.newHttpClient()
                    .send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString());
            String body = state.body().strip();
            say(
                    "admin   GET %s -> %d, %d bytes of JSON (instances seen, from the registry)",
                    uri, state.statusCode(), body.length());
            if (state.statusCode() != 200 || !body.contains("demo.UserService")) {
                failures++;
            }
            URI breakersUri = URI.create("http://127.0.0.1:" + admin.port() + "/admin/breakers");
            HttpResponse<String> breakers = HttpClient.newHttpClient()
                    .send(HttpRequest.newBuilder(breakersUri).build(), HttpResponse.BodyHandlers.ofString());
            String states = breakers.body();
            say(
                    "admin   GET %s -> %d: %d circuit breakers (per method and per provider), %d open",
                    breakersUri,
                    breakers.statusCode(),
                    occurrences(states, "\"CLOSED\"")
                            + occurrences(states, "\"OPEN\"")
                            + occurrences(states, "\"HALF_OPEN\""),
                    occurrences(states, "\"OPEN\""));
            if (breakers.statusCode() != 200 || !states.contains("demo.UserService/getUser")) {
                failures++;
            }
        }
    }

    private static int occurrences(String text, String what) {
        int n = 0;
        for (int i = text.indexOf(what); i >= 0; i = text.indexOf(what, i + what.length())) {
            n++;
        }
        return n;
    }

    /** {@code total} getUser calls from {@code threads} threads; prints throughput and latency. */
    private static void concurrentCalls(UserService users, int total, int threads) throws Exception {
        Recorder recorder = new Recorder(TimeUnit.SECONDS.toNanos(10), 3);
        AtomicInteger failed = new AtomicInteger();
        AtomicInteger next = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        long start = System.nanoTime();
        for (int t = 0; t < threads; t++) {
            pool.execute(() -> {
                for (int i = next.getAndIncrement(); i < total; i = next.getAndIncrement()) {
                    long id = 1 + (i % 1000);
                    long sent = System.nanoTime();
                    try {
                        if (users.getUser(GetUserRequest.newBuilder().setId(id).build())
                                        .getId()
                                != id) {
                            failed.incrementAndGet();
                        }
                    } catch (RpcException e) {
                        failed.incrementAndGet();
                    }
                    recorder.recordValue(System.nanoTime() - sent);
                }
            });
        }
        pool.shutdown();
        if (!pool.awaitTermination(2, TimeUnit.MINUTES)) {
            throw new IllegalStateException("concurrent calls did not finish in 2 minutes");
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        var h = recorder.getIntervalHistogram();
        say(
                "load    %d getUser calls from %d threads: %.0f calls/s; latency p50 %.0f µs, p99 %.0f µs,"
                        + " max %.0f µs; %d failed",
                total,
                threads,
                total / seconds,
                h.getValueAtPercentile(50) / 1e3,
                h.getValueAtPercentile(99) / 1e3,
                h.getMaxValue() / 1e3,
                failed.get());
        failures += failed.get();
    }

    private static void say(String format, Object... args) {
        System.out.println(String.format(format, args));
    }
}
