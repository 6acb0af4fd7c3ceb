#!/usr/bin/env bash
# Runs the RPC comparison (Dubbo, gRPC-java, raw Netty; see README.md) and writes
# benchmarks/results/<date>.md and .csv. Every server and client JVM runs on 127.0.0.1.
#
#   benchmarks/run.sh                 full comparison, about 18 minutes
#   benchmarks/run.sh --quick         smoke test, about 1.5 minutes
#   benchmarks/run.sh --no-build ...  skip the Maven build
#   benchmarks/run.sh --targets grpc-direct,netty --workloads getUser --concurrency 32 --rounds 5
#
# Options: --targets A,B  --workloads W,X (or none)  --concurrency 32,128 (calls in flight)
# --rounds N  --jvm-warmup S  --warmup S  --measure S  --netns auto|on|off  --java PATH
# --jvm-args "..."  --max-minutes M  --label NAME  --results-dir DIR  --work-dir DIR
#
# How cost grows (cells added to the ones above; see README.md, "How cost grows"):
#   --connections 1,4,64       each workload x concurrency again over N connections (N <= in flight)
#   --payloads 1k,64k,1m       an echo of N bytes each way, at --payload-concurrency 32 in flight
#   --open-loop 50,80          fixed arrival rates, % of the target's best closed-loop calls/s
#   --rate 20000,40000         fixed arrival rates in calls/s
#   --idle-connections 1000    the server's memory per idle connection (a fresh server per target)
#   --scaling                  all of them: getUser at 1,32,128,1024 in flight, 1,4,64 connections,
#                              1k/64k/1m payloads, open loop at 50 and 80%, 1000 idle connections
#
# Streaming (cells added to the ones above; --workloads none runs them alone; see README.md, "Streaming"):
#   --streams stream-small,stream-user,pingpong,upload1m
#                              server streaming of a small message and of the User, a ping-pong
#                              on one bidirectional stream, an upload of 1 MiB chunks; targets
#                              outrigger, grpc and grpc-direct (the others show them as skipped)
#   --stream-counts 1,8        server streams open at once (default 1,8); pingpong and upload1m use 1
# JAVA_HOME selects the JDK (default: java on the PATH).
set -euo pipefail
script="$(cd "$(dirname "$0")" && pwd)/$(basename "$0")"
cd "$(dirname "$0")/.."

build=1
args=()
for arg in "$@"; do
  case "$arg" in
    --no-build) build=0 ;;
    -h|--help) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$script"; exit 0 ;;
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
