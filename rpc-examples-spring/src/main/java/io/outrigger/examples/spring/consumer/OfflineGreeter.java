package io.outrigger.examples.spring.consumer;

import io.outrigger.examples.spring.GreeterService;
import io.outrigger.examples.spring.proto.HelloReply;
import io.outrigger.examples.spring.proto.HelloRequest;
import org.springframework.stereotype.Component;

/** The fallback: answers locally when no provider can (stop every provider to see it). */
@Component("offlineGreeter")
public class OfflineGreeter implements GreeterService {

    @Override
    public HelloReply sayHello(HelloRequest request) {
        return HelloReply.newBuilder()
                .setMessage("Hello, " + request.getName() + " (no provider is reachable; this is the fallback)")
                .setProvider("fallback")
                .build();
    }
}
