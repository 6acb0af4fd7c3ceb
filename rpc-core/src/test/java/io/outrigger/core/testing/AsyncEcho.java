package io.outrigger.core.testing;

import io.outrigger.core.service.ServiceName;
import io.outrigger.serialization.testing.proto.EchoReply;
import io.outrigger.serialization.testing.proto.EchoRequest;
import java.util.concurrent.CompletionStage;

/** A client's asynchronous view of {@link EchoService#echo}, served blocking on the business executor. */
@ServiceName("test.EchoService")
public interface AsyncEcho {

    CompletionStage<EchoReply> echo(EchoRequest request);
}
