package io.outrigger.benchmarks.dubbo;

import io.outrigger.benchmarks.SampleData;
import java.util.concurrent.CompletableFuture;

/** The Dubbo provider: the same answers as every other server, built per call. */
final class UserServiceImpl implements UserService {

    @Override
    public CompletableFuture<Boolean> existUser(String email) {
        return CompletableFuture.completedFuture(SampleData.existUser(email));
    }

    @Override
    public CompletableFuture<Boolean> createUser(User user) {
        return CompletableFuture.completedFuture(user.getId() != 0);
    }

    @Override
    public CompletableFuture<User> getUser(long id) {
        return CompletableFuture.completedFuture(SampleData.pojoUser(id));
    }

    @Override
    public CompletableFuture<Page> listUser(int pageNo) {
        return CompletableFuture.completedFuture(SampleData.pojoPage(pageNo));
    }

    @Override
    public CompletableFuture<byte[]> echo(byte[] payload) {
        return CompletableFuture.completedFuture(payload);
    }
}
