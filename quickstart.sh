#!/usr/bin/env bash
# The quickstart: builds Outrigger (tests skipped) and runs the demo: a provider of a protobuf and a
# Thrift service, a consumer making sync, async and concurrent calls over 127.0.0.1, a latency
# summary. Exits 0 when every call behaved.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
./mvnw -B -q -DskipTests package
exec java -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -jar rpc-examples/target/rpc-examples.jar "$@"
