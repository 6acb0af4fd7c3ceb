package io.outrigger.benchmarks.grpc;

import io.grpc.stub.StreamObserver;
import io.outrigger.benchmarks.SampleData;
import io.outrigger.benchmarks.proto.BoolResponse;
import io.outrigger.benchmarks.proto.EchoMessage;
import io.outrigger.benchmarks.proto.ExistUserRequest;
import io.outrigger.benchmarks.proto.GetUserRequest;
import io.outrigger.benchmarks.proto.ListUserRequest;
import io.outrigger.benchmarks.proto.Page;
import io.outrigger.benchmarks.proto.User;
import io.outrigger.benchmarks.proto.UserServiceGrpc;

/** The gRPC service: the same answers as every other server, built per call. */
final class UserServiceImpl extends UserServiceGrpc.UserServiceImplBase {

    private static final BoolResponse TRUE =
            BoolResponse.newBuilder().setValue(true).build();
    private static final BoolResponse FALSE =
            BoolResponse.newBuilder().setValue(false).build();

    @Override
    public void existUser(ExistUserRequest request, StreamObserver<BoolResponse> response) {
        response.onNext(SampleData.existUser(request.getEmail()) ? TRUE : FALSE);
        response.onCompleted();
    }

    @Override
    public void createUser(User request, StreamObserver<BoolResponse> response) {
        response.onNext(request.getId() != 0 ? TRUE : FALSE);
        response.onCompleted();
    }

    @Override
    public void getUser(GetUserRequest request, StreamObserver<User> response) {
        response.onNext(SampleData.protoUser(request.getId()));
        response.onCompleted();
    }

    @Override
    public void listUser(ListUserRequest request, StreamObserver<Page> response) {
        response.onNext(SampleData.protoPage(request.getPageNo()));
        response.onCompleted();
    }

    @Override
    public void echo(EchoMessage request, StreamObserver<EchoMessage> response) {
        response.onNext(request);
        response.onCompleted();
    }
}
