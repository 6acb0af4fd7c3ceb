package io.outrigger.examples;

import io.outrigger.core.service.Idempotent;
import io.outrigger.core.service.ServiceName;
import io.outrigger.examples.proto.GetUserRequest;
import io.outrigger.examples.proto.ListUsersReply;
import io.outrigger.examples.proto.ListUsersRequest;
import io.outrigger.examples.proto.User;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;

/** A protobuf service: unary methods take one message and return one (or a stage of one); one method streams. */
@ServiceName("demo.UserService")
public interface UserService {

    /** The user with the request's id; {@code NOT_FOUND} when there is none. */
    @Idempotent
    User getUser(GetUserRequest request);

    /** One page of users, asynchronously. */
    @Idempotent
    CompletionStage<ListUsersReply> listUsers(ListUsersRequest request);

    /**
     * Every user from the request's page on, one message each, as fast as the caller takes them (a
     * server stream: see docs/streaming.md).
     */
    Flow.Publisher<User> streamUsers(ListUsersRequest request);
}
