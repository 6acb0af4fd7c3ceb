package io.outrigger.examples.spring.consumer;

import io.outrigger.examples.spring.GreeterService;
import io.outrigger.examples.spring.proto.HelloReply;
import io.outrigger.examples.spring.proto.HelloRequest;
import io.outrigger.spring.boot.RpcReference;
import java.util.Map;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** {@code GET /hello?name=Ada}: one RPC to whichever provider the load balancer picks. */
@RestController
public class HelloController {

    private final GreeterService greeter;

    /** The proxy arrives like any other constructor argument. */
    public HelloController(
            @RpcReference(version = "1.*", timeout = "1s", fallback = "offlineGreeter") GreeterService greeter) {
        this.greeter = greeter;
    }

    /** Greets {@code name}. */
    @GetMapping("/hello")
    public Map<String, String> hello(@RequestParam(defaultValue = "world") String name) {
        HelloReply reply =
                greeter.sayHello(HelloRequest.newBuilder().setName(name).build());
        return Map.of("message", reply.getMessage(), "provider", reply.getProvider());
    }
}
