package io.outrigger.benchmarks.outrigger;

import io.outrigger.benchmarks.SampleData;
import io.outrigger.benchmarks.proto.BoolResponse;
import io.outrigger.benchmarks.proto.EchoMessage;
import io.outrigger.benchmarks.proto.ExistUserRequest;
import io.outrigger.benchmarks.proto.GetUserRequest;
import io.outrigger.benchmarks.proto.ListUserRequest;
import io.outrigger.benchmarks.proto.Page;
import io.outrigger.benchmarks.proto.User;
import java.util.concurrent.CompletableFuture;

/** Both benchmark services: the same answers as every other server, built per call. */
final class BenchUserServices implements BlockingBenchUserService {

    private static final BoolResponse TRUE =
            BoolResponse.newBuilder().setValue(true).build();
    private static final BoolResponse FALSE =
            BoolResponse.newBuilder().setValue(false).build();

    @Override
    public BoolResponse existUser(ExistUserRequest request) {
        return SampleData.existUser(request.getEmail()) ? TRUE : FALSE;
    }

    @Override
    public BoolResponse createUser(User user) {
        return user.getId() != 0 ? TRUE : FALSE;
    }

    @Override
    public User getUser(GetUserRequest request) {
        return SampleData.protoUser(request.getId());
    }

    @Override
    public Page listUser(ListUserRequest request) {
        return SampleData.protoPage(request.getPageNo());
    }

    @Override
    public EchoMessage echo(EchoMessage message) {
        return message;
    }

    /** The asynchronous view of the same answers. */
    BenchUserService async() {
        BenchUserServices self = this;
        return new BenchUserService() {
            @Override
            public CompletableFuture<BoolResponse> existUser(ExistUserRequest request) {
                return CompletableFuture.completedFuture(self.existUser(request));
            }

            @Override
            public CompletableFuture<BoolResponse> createUser(User user) {
                return CompletableFuture.completedFuture(self.createUser(user));
            }

            @Override
            public CompletableFuture<User> getUser(GetUserRequest request) {
                return CompletableFuture.completedFuture(self.getUser(request));
            }

            @Override
            public CompletableFuture<Page> listUser(ListUserRequest request) {
                return CompletableFuture.completedFuture(self.listUser(request));
            }

            @Override
            public CompletableFuture<EchoMessage> echo(EchoMessage message) {
                return CompletableFuture.completedFuture(self.echo(message));
            }
        };
    }
}
