package io.outrigger.examples;

import io.outrigger.core.service.Idempotent;
import io.outrigger.core.service.ServiceName;
import io.outrigger.examples.proto.GetUserRequest;
import io.outrigger.examples.proto.ListUsersReply;
import io.outrigger.examples.proto.ListUsersRequest;
import io.outrigger.examples.proto.User;
import java.util.concurrent.CompletionStage;

/** A protobuf service: each method takes one message and returns one (or a stage of one). */
@ServiceName("demo.UserService")
public interface UserService {

    /** The user with the request's id; {@code NOT_FOUND} when there is none. */
    @Idempotent
    User getUser(GetUserRequest request);

    /** One page of users, asynchronously. */
    @Idempotent
    CompletionStage<ListUsersReply> listUsers(ListUsersRequest request);
}
