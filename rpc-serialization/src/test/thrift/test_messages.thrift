// Thrift test messages shared by the tests of every Outrigger module (through the
// rpc-serialization test-jar). The generated Java is committed; regenerate it with
// scripts/generate-thrift.sh after changing this file.

namespace java io.outrigger.serialization.testing.thrift.gen

struct ThriftEchoRequest {
  1: string text,
  2: binary data,
  3: i64 sleepMillis
}

struct ThriftEchoReply {
  1: string text,
  2: binary data
}

enum ThriftRole {
  ADMIN = 1,
  MEMBER = 2
}

struct ThriftAddress {
  1: string street,
  2: string city
}

struct ThriftUser {
  1: required i64 id,
  2: required string name,
  3: optional ThriftRole role,
  4: list<string> tags,
  5: list<ThriftAddress> addresses,
  6: map<string, i32> scores
}
