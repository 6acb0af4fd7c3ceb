package io.outrigger.core.server;

import static io.outrigger.serialization.testing.TestMessages.echoRequest;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.outrigger.core.RequestNotRunException;
import io.outrigger.core.RpcException;
import io.outrigger.core.RpcResponse;
import io.outrigger.core.Status;
import io.outrigger.core.testing.EchoService;
import io.outrigger.core.testing.EchoServiceImpl;
import io.outrigger.core.testing.LogCapture;
import io.outrigger.core.testing.ServerExtension;
import io.outrigger.serialization.testing.proto.EchoReply;
import io.outrigger.serialization.testing.proto.EchoRequest;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * What a caller learns when a call fails on the provider: whether it ran, and no internals of an
 * unexpected exception unless the server opts in.
 */
class ServiceFailureTest {

    /** Throws what the request's text asks for. */
    static final class Failing implements EchoService {
        final EchoServiceImpl delegate = new EchoServiceImpl();

        @Override
        public EchoReply echo(EchoRequest request) {
            return delegate.echo(request);
        }

        @Override
        public CompletionStage<EchoReply> echoAsync(EchoRequest request) {
            return delegate.echoAsync(request);
        }

        @Override
        public EchoReply fail(EchoRequest request) {
            switch (request.getText()) {
                case "nested" -> // a nested call that did not run: this call did run
                    throw RpcException.of(RequestNotRunException.mark(
                            Status.UNAVAILABLE.withDescription("inventory: no provider reachable")));
                case "deliberate" ->
                    throw RpcException.of(Status.FAILED_PRECONDITION.withDescription("account 42 is frozen"));
                default -> throw new IllegalStateException("jdbc:postgresql://db.internal/payments password=hunter2");
            }
        }
    }

    @RegisterExtension
    final ServerExtension server = new ServerExtension(b -> b.service(EchoService.class, new Failing())
            .interceptor((request, next) -> request.metadata().get("refuse") != null
                    ? CompletableFuture.completedFuture(RpcResponse.failure(
                            Status.RESOURCE_EXHAUSTED.withDescription("limit of the test interceptor")))
                    : next.invoke(request)));

    @RegisterExtension
    final ServerExtension verbose =
            new ServerExtension(b -> b.service(EchoService.class, new Failing()).sendErrorDetails(true));

    @Test
    void anUnexpectedExceptionIsInternalWithAnErrorIdAndItsDetailsStayInTheServersLog() {
        EchoService echo = server.client().refer(EchoService.class);
        try (LogCapture logs = LogCapture.start()) {
            assertThatThrownBy(() -> echo.fail(echoRequest("boom"))).isInstanceOfSatisfying(RpcException.class, e -> {
                assertThat(e.status().code()).isEqualTo(Status.Code.INTERNAL);
                String description = e.status().description();
                assertThat(description)
                        .startsWith("test.EchoService/fail failed with an internal error (error id ")
                        .doesNotContain("IllegalStateException")
                        .doesNotContain("hunter2");
                Matcher id = Pattern.compile("error id ([0-9a-f]{8})").matcher(description);
                assertThat(id.find()).isTrue();
                assertThat(logs.lines())
                        .anyMatch(l -> l.contains("test.EchoService/fail threw (error id " + id.group(1) + ")"));
                assertThat(logs.lines()).anyMatch(l -> l.contains("password=hunter2"));
                assertThat(RequestNotRunException.notRun(e.status())).isFalse();
            });
        }
    }

    @Test
    void aServerMayOptInToSendingTheExceptionsClassAndMessage() {
        EchoService echo = verbose.client().refer(EchoService.class);
        assertThatThrownBy(() -> echo.fail(echoRequest("boom"))).isInstanceOfSatisfying(RpcException.class, e -> {
            assertThat(e.status().code()).isEqualTo(Status.Code.INTERNAL);
            assertThat(e.status().description())
                    .startsWith("test.EchoService/fail threw java.lang.IllegalStateException: jdbc:postgresql")
                    .containsPattern("\\(error id [0-9a-f]{8}\\)$");
        });
    }

    @Test
    void aDeliberateRpcExceptionKeepsItsStatusAndMessage() {
        EchoService echo = server.client().refer(EchoService.class);
        assertThatThrownBy(() -> echo.fail(echoRequest("deliberate"))).isInstanceOfSatisfying(RpcException.class, e -> {
            assertThat(e.status().code()).isEqualTo(Status.Code.FAILED_PRECONDITION);
            assertThat(e.status().description()).isEqualTo("account 42 is frozen");
        });
    }

    @Test
    void aNestedCallsNotRunDoesNotMakeThisCallNotRun() {
        EchoService echo = server.client().refer(EchoService.class);
        assertThatThrownBy(() -> echo.fail(echoRequest("nested"))).isInstanceOfSatisfying(RpcException.class, e -> {
            assertThat(e.status().code()).isEqualTo(Status.Code.UNAVAILABLE);
            assertThat(e.status().description()).isEqualTo("inventory: no provider reachable");
            // The provider ran this call: a retry elsewhere could run it twice.
            assertThat(RequestNotRunException.notRun(e.status())).isFalse();
        });
    }

    @Test
    void aRefusalBeforeTheServiceReachesTheClientAsNotRun() {
        EchoService echo = server.client()
                .reference(EchoService.class)
                .header("refuse", "yes")
                .build();
        assertThatThrownBy(() -> echo.fail(echoRequest("never runs"))).isInstanceOfSatisfying(RpcException.class, e -> {
            assertThat(e.status().code()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
            assertThat(e.status().description()).isEqualTo("limit of the test interceptor");
            assertThat(RequestNotRunException.notRun(e.status())).isTrue();
        });
    }
}
