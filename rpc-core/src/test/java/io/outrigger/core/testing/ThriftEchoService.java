package io.outrigger.core.testing;

import io.outrigger.core.service.ServiceName;
import io.outrigger.serialization.testing.thrift.gen.ThriftEchoReply;
import io.outrigger.serialization.testing.thrift.gen.ThriftEchoRequest;

/** The Thrift service used by the tests. */
@ServiceName("test.ThriftEchoService")
public interface ThriftEchoService {

    ThriftEchoReply echo(ThriftEchoRequest request);
}
