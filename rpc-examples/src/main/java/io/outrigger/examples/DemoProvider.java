package io.outrigger.examples;

import io.outrigger.core.RpcException;
import io.outrigger.core.Status;
import io.outrigger.core.stream.Streams;
import io.outrigger.examples.proto.GetUserRequest;
import io.outrigger.examples.proto.ListUsersReply;
import io.outrigger.examples.proto.ListUsersRequest;
import io.outrigger.examples.proto.User;
import io.outrigger.examples.thrift.gen.StockReply;
import io.outrigger.examples.thrift.gen.StockRequest;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Flow;

/** The quickstart's implementation of both demo services; {@code name} tells providers apart. */
public final class DemoProvider implements UserService, InventoryService {

    private static final int USERS = 1000;
    /** Runs the producers of streams: each blocks while its caller has no room. */
    private static final ExecutorService STREAMS = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "demo-stream");
        t.setDaemon(true);
        return t;
    });

    private final String name;

    public DemoProvider(String name) {
        this.name = name;
    }

    @Override
    public User getUser(GetUserRequest request) {
        long id = request.getId();
        if (id < 1 || id > USERS) {
            throw RpcException.of(
                    Status.NOT_FOUND.withDescription("no user with id " + id + " (ids are 1.." + USERS + ")"));
        }
        return user(id);
    }

    @Override
    public CompletionStage<ListUsersReply> listUsers(ListUsersRequest request) {
        int size = request.getPageSize() <= 0 ? 15 : Math.min(request.getPageSize(), 100);
        ListUsersReply.Builder reply = ListUsersReply.newBuilder().setTotal(USERS);
        for (long id = (long) request.getPage() * size + 1;
                id <= Math.min(USERS, (long) (request.getPage() + 1) * size);
                id++) {
            reply.addUsers(user(id));
        }
        return CompletableFuture.completedFuture(reply.build());
    }

    @Override
    public Flow.Publisher<User> streamUsers(ListUsersRequest request) {
        int size = request.getPageSize() <= 0 ? 15 : Math.min(request.getPageSize(), 100);
        return Streams.publisher(STREAMS, sink -> {
            for (long id = (long) request.getPage() * size + 1; id <= USERS; id++) {
                sink.send(user(id)); // waits while the caller has no room
            }
        });
    }

    @Override
    public StockReply checkStock(StockRequest request) {
        return new StockReply()
                .setSku(request.getSku())
                .setAvailable(Math.abs(request.getSku().hashCode() % 100))
                .setWarehouse(name);
    }

    private User user(long id) {
        return User.newBuilder()
                .setId(id)
                .setName("user-" + id)
                .setEmail("user-" + id + "@example.com")
                .addRoles("member")
                .addRoles("served-by-" + name)
                .build();
    }
}
