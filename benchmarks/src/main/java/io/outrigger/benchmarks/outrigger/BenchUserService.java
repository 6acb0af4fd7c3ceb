package io.outrigger.benchmarks.outrigger;

import io.outrigger.benchmarks.proto.BoolResponse;
import io.outrigger.benchmarks.proto.EchoMessage;
import io.outrigger.benchmarks.proto.ExistUserRequest;
import io.outrigger.benchmarks.proto.GetUserRequest;
import io.outrigger.benchmarks.proto.ListUserRequest;
import io.outrigger.benchmarks.proto.Page;
import io.outrigger.benchmarks.proto.User;
import io.outrigger.core.service.ServiceName;
import java.util.concurrent.CompletableFuture;

/**
 * The benchmark service as an asynchronous Outrigger interface: non-blocking methods, which the
 * server runs on its I/O thread.
 */
@ServiceName("bench.UserService")
public interface BenchUserService {

    CompletableFuture<BoolResponse> existUser(ExistUserRequest request);

    CompletableFuture<BoolResponse> createUser(User user);

    CompletableFuture<User> getUser(GetUserRequest request);

    CompletableFuture<Page> listUser(ListUserRequest request);

    CompletableFuture<EchoMessage> echo(EchoMessage message);
}
