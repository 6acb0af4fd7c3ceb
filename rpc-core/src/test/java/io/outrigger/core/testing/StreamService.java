package io.outrigger.core.testing;

import io.outrigger.core.service.ServiceName;
import io.outrigger.serialization.testing.proto.EchoReply;
import io.outrigger.serialization.testing.proto.EchoRequest;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;

/** One method of each streaming kind. */
@ServiceName("test.Streams")
public interface StreamService {

    /** Answers {@code sleep_millis} replies "text-0", "text-1", ...; fails after 5 if the text is "fail". */
    Flow.Publisher<EchoReply> count(EchoRequest request);

    /** Answers once, with the texts of every request joined by ",". */
    CompletionStage<EchoReply> join(Flow.Publisher<EchoRequest> requests);

    /** Answers one reply "text-0" when asked, then holds the stream open until the test ends it. */
    Flow.Publisher<EchoReply> hold(EchoRequest request);

    /** Answers each request with its text upper-cased, as it comes. */
    Flow.Publisher<EchoReply> shout(Flow.Publisher<EchoRequest> requests);
}
