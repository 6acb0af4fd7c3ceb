package io.outrigger.examples;

import io.outrigger.core.server.RpcServer;
import io.outrigger.core.server.ServiceReflection;
import java.util.concurrent.CountDownLatch;

/**
 * A standalone provider of the demo services, for the sidecar examples: serves {@code
 * demo.UserService} and {@code demo.InventoryService} on 127.0.0.1 and publishes the protobuf
 * descriptors (so a sidecar accepts JSON for them) until stopped.
 *
 * <pre>
 * java -cp rpc-examples/target/rpc-examples.jar io.outrigger.examples.DemoServer 7001
 * </pre>
 */
public final class DemoServer {

    private DemoServer() {}

    public static void main(String[] args) throws InterruptedException {
        int port = args.length > 0 ? Integer.parseInt(args[0]) : 7001;
        DemoProvider impl = new DemoProvider("java");
        RpcServer server = RpcServer.builder()
                .host("127.0.0.1")
                .port(port)
                .service(UserService.class, impl)
                .service(InventoryService.class, impl)
                .interceptor(ServiceReflection.of(UserService.class))
                .build()
                .start();
        System.out.println("demo provider serving " + server.serviceNames() + " on 127.0.0.1:" + server.port());
        Runtime.getRuntime().addShutdownHook(new Thread(server::shutdown));
        new CountDownLatch(1).await();
    }
}
