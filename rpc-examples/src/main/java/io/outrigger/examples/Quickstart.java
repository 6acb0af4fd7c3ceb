package io.outrigger.examples;

import io.outrigger.core.RpcException;
import io.outrigger.core.client.RpcClient;
import io.outrigger.core.registry.ServiceInstance;
import io.outrigger.core.registry.StaticRegistry;
import io.outrigger.core.server.RpcServer;
import io.outrigger.examples.proto.GetUserRequest;
import io.outrigger.examples.proto.ListUsersReply;
import io.outrigger.examples.proto.ListUsersRequest;
import io.outrigger.examples.proto.User;
import io.outrigger.examples.thrift.gen.StockReply;
import io.outrigger.examples.thrift.gen.StockRequest;
import io.outrigger.observability.AdminSections;
import io.outrigger.observability.AdminServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.HdrHistogram.Recorder;

/**
 * The quickstart: starts a provider of a protobuf and a Thrift service on 127.0.0.1, a consumer,
 * makes sync, async and concurrent calls over real sockets, prints results, what the admin endpoint
 * shows, and a latency summary, and exits 0 (1 if any call went wrong).
 */
public final class Quickstart {

    private Quickstart() {}

    public static void main(String[] args) throws Exception {
        int calls = args.length > 0 ? Integer.parseInt(args[0]) : 20_000;
        RpcServer provider = RpcServer.builder()
                .host("127.0.0.1")
                .port(0)
                .service(UserService.class, new DemoProvider("provider-1"))
                .service(InventoryService.class, new DemoProvider("provider-1"))
                .build()
                .start();
        say("provider serving %s on 127.0.0.1:%d", provider.serviceNames(), provider.port());

        StaticRegistry registry = StaticRegistry.of(
                ServiceInstance.builder("demo.UserService", "127.0.0.1", provider.port())
                        .build(),
                ServiceInstance.builder("demo.InventoryService", "127.0.0.1", provider.port())
                        .build());
        int failures = 0;
        try (RpcClient client = RpcClient.builder()
                .registry(registry)
                .defaultTimeout(Duration.ofSeconds(2))
                .build()) {
            UserService users = client.refer(UserService.class);
            InventoryService inventory = client.refer(InventoryService.class);

            User user = users.getUser(GetUserRequest.newBuilder().setId(42).build());
            say("sync   getUser(42)        -> %s <%s>", user.getName(), user.getEmail());

            ListUsersReply page = users.listUsers(ListUsersRequest.newBuilder()
                            .setPage(2)
                            .setPageSize(15)
                            .build())
                    .toCompletableFuture()
                    .get(5, TimeUnit.SECONDS);
            say(
                    "async  listUsers(page 2)  -> %d users, first %s, of %d",
                    page.getUsersCount(), page.getUsers(0).getName(), page.getTotal());

            StockReply stock = inventory.checkStock(new StockRequest().setSku("OUT-42"));
            say("thrift checkStock(OUT-42) -> %d available at %s", stock.getAvailable(), stock.getWarehouse());

            try {
                users.getUser(GetUserRequest.newBuilder().setId(-1).build());
                say("error  getUser(-1)        -> no error?");
                failures++;
            } catch (RpcException e) {
                say("error  getUser(-1)        -> %s", e.status());
            }

            failures += showAdminEndpoint(provider, client);
            failures += concurrentCalls(users, calls, 32);
        } finally {
            int lost = provider.shutdown(Duration.ofSeconds(5));
            say("provider stopped gracefully (%d calls lost)", lost);
        }
        if (failures > 0) {
            say("FAILED: %d calls went wrong", failures);
            System.exit(1);
        }
        say("OK");
    }

    /** Starts the admin endpoint on 127.0.0.1, prints what {@code GET /admin} answers, stops it. */
    private static int showAdminEndpoint(RpcServer provider, RpcClient client) throws Exception {
        try (AdminServer admin = AdminServer.builder()
                .section(AdminSections.exported(provider))
                .section(AdminSections.referenced(client, service -> "static"))
                .build()
                .start()) {
            URI uri = URI.create("http://127.0.0.1:" + admin.port() + "/admin");
            HttpResponse<String> state = HttpClient.newHttpClient()
                    .send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString());
            say("admin  GET %s -> %d\n%s", uri, state.statusCode(), state.body().strip());
            return state.statusCode() == 200 && state.body().contains("demo.UserService") ? 0 : 1;
        }
    }

    /** {@code total} getUser calls from {@code threads} threads; prints throughput and latency. */
    private static int concurrentCalls(UserService users, int total, int threads) throws Exception {
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
                "concurrent: %d getUser calls from %d threads, %.0f calls/s; latency p50 %.0f µs, p99 %.0f µs,"
                        + " max %.0f µs; %d failed",
                total,
                threads,
                total / seconds,
                h.getValueAtPercentile(50) / 1e3,
                h.getValueAtPercentile(99) / 1e3,
                h.getMaxValue() / 1e3,
                failed.get());
        return failed.get();
    }

    private static void say(String format, Object... args) {
        System.out.println(String.format(format, args));
    }
}
