#!/usr/bin/env bash
# Runs the RPC comparison (Dubbo, gRPC-java, raw Netty; see README.md) and writes
# benchmarks/results/<date>.md and .csv. Every server and client JVM runs on 127.0.0.1.
#
#   benchmarks/run.sh                 full comparison, about 15 minutes
#   benchmarks/run.sh --quick         smoke test, about 1.5 minutes
#   benchmarks/run.sh --no-build ...  skip the Maven build
#   benchmarks/run.sh --targets grpc-direct,netty --workloads getUser --concurrency 32 --rounds 5
#
# Other options: --jvm-warmup S, --warmup S, --measure S, --netns auto|on|off, --java PATH,
# --jvm-args "...", --max-minutes M, --label NAME, --results-dir DIR, --work-dir DIR.
# JAVA_HOME selects the JDK (default: java on the PATH).
set -euo pipefail
cd "$(dirname "$0")/.."

build=1
args=()
for arg in "$@"; do
  case "$arg" in
    --no-build) build=0 ;;
    -h|--help) sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) args+=("$arg") ;;
  esac
done

if [[ $build == 1 ]]; then
  ./mvnw -B -q -pl benchmarks -am -DskipTests package
fi

java="${JAVA_HOME:+$JAVA_HOME/bin/}java"
# The orchestrator bounds each run itself; this bounds the whole comparison. On SIGTERM its
# shutdown hook stops the JVMs it started, and they exit on their own if it is killed outright.
exec timeout --kill-after=30s 45m "$java" -jar benchmarks/target/benchmarks.jar compare "${args[@]}"
