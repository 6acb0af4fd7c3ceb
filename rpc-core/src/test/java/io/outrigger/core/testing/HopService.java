package io.outrigger.core.testing;

import io.outrigger.core.CallContext;
import io.outrigger.serialization.testing.proto.EchoReply;
import io.outrigger.serialization.testing.proto.EchoRequest;
import java.util.concurrent.CompletionStage;

/**
 * One hop of a chain of services that call each other (exported under several names): its methods
 * take the call's context, as service code that wants to read or pass on its caller's deadline,
 * metadata and identity does.
 */
public interface HopService {

    /** One hop, served on the business executor. */
    EchoReply hop(EchoRequest request, CallContext context);

    /** One hop, served asynchronously (on the event loop). */
    CompletionStage<EchoReply> hopAsync(EchoRequest request, CallContext context);
}
