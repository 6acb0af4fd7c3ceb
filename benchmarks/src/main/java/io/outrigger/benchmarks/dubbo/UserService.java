package io.outrigger.benchmarks.dubbo;

import java.util.concurrent.CompletableFuture;

/**
 * The Dubbo service interface. Methods return {@link CompletableFuture}, Dubbo's idiomatic
 * asynchronous signature, so the client keeps many calls in flight without a thread per call.
 */
public interface UserService {

    CompletableFuture<Boolean> existUser(String email);

    CompletableFuture<Boolean> createUser(User user);

    CompletableFuture<User> getUser(long id);

    CompletableFuture<Page> listUser(int pageNo);

    CompletableFuture<byte[]> echo(byte[] payload);
}
