package io.outrigger.benchmarks.outrigger;

import io.outrigger.benchmarks.proto.BoolResponse;
import io.outrigger.benchmarks.proto.EchoMessage;
import io.outrigger.benchmarks.proto.ExistUserRequest;
import io.outrigger.benchmarks.proto.GetUserRequest;
import io.outrigger.benchmarks.proto.ListUserRequest;
import io.outrigger.benchmarks.proto.Page;
import io.outrigger.benchmarks.proto.User;
import io.outrigger.core.service.ServiceName;

/**
 * The benchmark service with plain (possibly blocking) methods, which the server runs on its
 * business thread pool: the cost of that hand-off, as Dubbo and gRPC pay it by default.
 */
@ServiceName("bench.BlockingUserService")
public interface BlockingBenchUserService {

    BoolResponse existUser(ExistUserRequest request);

    BoolResponse createUser(User user);

    User getUser(GetUserRequest request);

    Page listUser(ListUserRequest request);

    EchoMessage echo(EchoMessage message);
}
