package io.outrigger.examples.spring;

import io.outrigger.core.service.Idempotent;
import io.outrigger.core.service.ServiceName;
import io.outrigger.examples.spring.proto.HelloReply;
import io.outrigger.examples.spring.proto.HelloRequest;

/** The service both example applications share: the provider exports it, the consumer calls it. */
@ServiceName("demo.GreeterService")
public interface GreeterService {

    /** A greeting for the request's name. */
    @Idempotent
    HelloReply sayHello(HelloRequest request);
}
