package io.outrigger.chaos;

import static org.awaitility.Awaitility.await;

import io.outrigger.core.client.RpcClient;
import io.outrigger.core.cluster.Endpoint;
import io.outrigger.core.registry.Registry;
import io.outrigger.core.testing.EchoService;
import io.outrigger.governance.ClientGovernance;
import io.outrigger.serialization.testing.proto.EchoRequest;
import java.time.Duration;
import java.util.Collection;
import java.util.Set;
import java.util.stream.Collectors;

/** The caller side of the scenarios: a governed client and the calls the loads make. */
final class Callers {

    static final String SERVICE = "test.EchoService";

    private Callers() {}

    /**
     * A client with the default governance (peak-EWMA P2C, failover with a retry budget, breakers)
     * and the default 5 s call timeout. (With 2 s, a rolling restart on a machine so busy that a
     * freshly started provider JVM stalled for seconds failed a few calls by deadline.)
     */
    static RpcClient governed(Registry registry) {
        return governed(registry, ClientGovernance.builder().build());
    }

    static RpcClient governed(Registry registry, ClientGovernance governance) {
        return governance.applyTo(RpcClient.builder().registry(registry)).build();
    }

    /** Waits until the client sees exactly the providers on {@code ports}, all available. */
    static void awaitProviders(RpcClient client, Collection<Integer> ports) {
        Set<Integer> expected = Set.copyOf(ports);
        await().atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(20))
                .until(() -> client.endpoints(SERVICE).stream()
                        .filter(Endpoint::isAvailable)
                        .map(e -> e.instance().port())
                        .collect(Collectors.toSet())
                        .equals(expected));
    }

    /** An idempotent call ({@code echo} is {@code @Idempotent}): failover may retry it after any failure. */
    static Load.Call idempotent(EchoService echo) {
        return n -> echo.echo(request(n, 0));
    }

    /**
     * A call that is not idempotent ({@code echoAsync}): retried only when the request was not sent.
     * The provider holds it {@code millis} (without a thread), so some are in flight at any moment.
     */
    static Load.Call nonIdempotent(EchoService echo, int millis) {
        return n -> echo.echoAsync(request(n, millis)).toCompletableFuture().join();
    }

    static EchoRequest request(long n, int sleepMillis) {
        return EchoRequest.newBuilder()
                .setText("call-" + n)
                .setSleepMillis(sleepMillis)
                .build();
    }
}
