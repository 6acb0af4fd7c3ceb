package io.outrigger.examples.spring.provider;

import io.outrigger.examples.spring.GreeterService;
import io.outrigger.examples.spring.proto.HelloReply;
import io.outrigger.examples.spring.proto.HelloRequest;
import io.outrigger.spring.boot.OutriggerServer;
import io.outrigger.spring.boot.RpcService;
import org.springframework.beans.factory.ObjectProvider;

/** Exported as {@code demo.GreeterService}, version 1.0: {@code @RpcService} is all it takes. */
@RpcService(version = "1.0")
public class GreeterServiceImpl implements GreeterService {

    private final ObjectProvider<OutriggerServer> server;

    /** The server tells which provider answered. */
    public GreeterServiceImpl(ObjectProvider<OutriggerServer> server) {
        this.server = server;
    }

    @Override
    public HelloReply sayHello(HelloRequest request) {
        String name = request.getName().isEmpty() ? "world" : request.getName();
        return HelloReply.newBuilder()
                .setMessage("Hello, " + name + "!")
                .setProvider("127.0.0.1:" + server.getObject().port())
                .build();
    }
}
