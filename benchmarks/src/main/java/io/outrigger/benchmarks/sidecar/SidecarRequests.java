package io.outrigger.benchmarks.sidecar;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.MessageLite;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.outrigger.benchmarks.SampleData;
import io.outrigger.benchmarks.Workload;
import io.outrigger.benchmarks.proto.BoolResponse;
import io.outrigger.benchmarks.proto.EchoMessage;
import io.outrigger.benchmarks.proto.ExistUserRequest;
import io.outrigger.benchmarks.proto.GetUserRequest;
import io.outrigger.benchmarks.proto.ListUserRequest;
import io.outrigger.benchmarks.proto.Page;
import io.outrigger.benchmarks.proto.User;
import java.io.IOException;

/**
 * What the sidecar targets send and read, whatever the HTTP version: per workload the path and the
 * protobuf bytes of the request the other targets send, and the reply's decoding.
 */
final class SidecarRequests {

    static final String SERVICE = "bench.UserService";
    static final String PROTOBUF = "application/x-protobuf";

    private static final byte[][] BODIES = {
        ExistUserRequest.newBuilder().setEmail(SampleData.EMAIL).build().toByteArray(),
        SampleData.PROTO_USER.toByteArray(),
        GetUserRequest.newBuilder().setId(SampleData.USER_ID).build().toByteArray(),
        ListUserRequest.newBuilder().setPageNo(SampleData.PAGE_NO).build().toByteArray(),
        EchoMessage.newBuilder().setPayload(SampleData.echoByteString()).build().toByteArray(),
        SampleData.echoMessage(Workload.ECHO_64K).toByteArray(),
        SampleData.echoMessage(Workload.ECHO_1M).toByteArray(),
    };
    private static final String[] METHODS = {"existUser", "createUser", "getUser", "listUser", "echo", "echo", "echo"};
    private static final String[] PATHS = new String[METHODS.length];

    static {
        for (int i = 0; i < METHODS.length; i++) {
            PATHS[i] = "/rpc/" + SERVICE + "/" + METHODS[i];
        }
    }

    private SidecarRequests() {}

    /** The request body of {@code workload} (shared: never modify). */
    static byte[] body(Workload workload) {
        return BODIES[workload.ordinal()];
    }

    /** {@code /rpc/bench.UserService/{method}} of {@code workload}. */
    static String path(Workload workload) {
        return PATHS[workload.ordinal()];
    }

    /** Decodes the reply of {@code workload} from {@code content}, which the caller still owns. */
    static Object parse(Workload workload, ByteBuf content) throws IOException {
        CodedInputStream in = content.nioBufferCount() == 1
                ? CodedInputStream.newInstance(content.nioBuffer())
                : CodedInputStream.newInstance(ByteBufUtil.getBytes(content));
        MessageLite message = switch (workload) {
            case EXIST_USER, CREATE_USER -> BoolResponse.parseFrom(in);
            case GET_USER -> User.parseFrom(in);
            case LIST_USER -> Page.parseFrom(in);
            case ECHO_1K, ECHO_64K, ECHO_1M -> EchoMessage.parseFrom(in);
        };
        return message instanceof BoolResponse b ? (Object) b.getValue() : message;
    }
}
