package io.outrigger.core.testing;

import io.outrigger.core.service.Idempotent;
import io.outrigger.core.service.ServiceName;
import io.outrigger.serialization.testing.proto.EchoReply;
import io.outrigger.serialization.testing.proto.EchoRequest;
import java.util.concurrent.CompletionStage;

/** The protobuf service used by the tests: echoes, sleeps on request, fails on request. */
@ServiceName("test.EchoService")
public interface EchoService {

    /** Answers with the request's text and data, after {@code sleep_millis}. */
    @Idempotent
    EchoReply echo(EchoRequest request);

    /** Same as {@link #echo}, asynchronously (the sleep does not hold a worker thread). */
    CompletionStage<EchoReply> echoAsync(EchoRequest request);

    /** Throws an {@code IllegalStateException} with the request's text. */
    EchoReply fail(EchoRequest request);
}
