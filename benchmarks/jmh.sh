#!/usr/bin/env bash
# Runs the JMH micro-benchmarks with the GC profiler (allocation per operation).
#
#   benchmarks/jmh.sh                        all of them
#   benchmarks/jmh.sh ProtobufCodec          those matching a regex
#   benchmarks/jmh.sh --no-build -f 3 -wi 5  extra arguments go to JMH (java -jar ... -h lists them)
set -euo pipefail
cd "$(dirname "$0")/.."

if [[ "${1:-}" == --no-build ]]; then
  shift
else
  ./mvnw -B -q -pl benchmarks -am -DskipTests package
fi

java="${JAVA_HOME:+$JAVA_HOME/bin/}java"
exec "$java" -cp benchmarks/target/benchmarks.jar org.openjdk.jmh.Main -prof gc "$@"
