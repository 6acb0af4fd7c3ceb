package io.outrigger.governance.internal;

import io.outrigger.core.RpcRequest;
import io.outrigger.core.cluster.Endpoint;
import io.outrigger.core.cluster.LoadBalancer;
import java.util.Arrays;
import java.util.List;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;

/**
 * Sends every call with the same value of a request header (say {@code user-id}) to the same
 * endpoint, for cache affinity: a hash ring with {@value #DEFAULT_REPLICAS} virtual nodes per
 * endpoint. When an endpoint leaves, only the keys it owned move; every other key stays where it
 * was. Calls without the header fall back to weighted random.
 *
 * <p>Weights do not change the ring (every endpoint gets the same number of virtual nodes); use
 * routing rules to move keys deliberately. The ring is built once per candidate list and kept with
 * the list's {@link CandidateSnapshot} (so a pick computes no fingerprint, and subsets that alternate
 * keep a ring each). Thread-safe; a lookup is lock-free and allocation-free.
 */
public final class ConsistentHashBalancer implements LoadBalancer {

    /** Virtual nodes per endpoint: enough for a spread within a few percent. */
    public static final int DEFAULT_REPLICAS = 160;

    private final String header;
    private final int replicas;
    private final CandidateSnapshots<Void> snapshots;
    private final Supplier<RandomGenerator> random;
    // The last ring built, reused by a new snapshot of the same endpoints.
    private volatile Ring ring = new Ring(0, 0, new long[0], new Endpoint[0]);

    /**
     * @param header the metadata key whose value is hashed
     * @param weigher weighs the weighted-random fallback for calls without the header
     */
    public ConsistentHashBalancer(String header, int replicas, Weigher weigher, Supplier<RandomGenerator> random) {
        this.header = header;
        this.replicas = replicas;
        this.snapshots = new CandidateSnapshots<>(weigher);
        this.random = random;
    }

    @Override
    public Endpoint pick(List<Endpoint> candidates, RpcRequest request) {
        int n = candidates.size();
        if (n == 1) {
            return candidates.get(0);
        }
        CandidateSnapshot<Void> s = snapshots.of(candidates);
        String key = request.metadata().get(header);
        if (key == null) {
            return WeightedRandomBalancer.pick(s, random.get());
        }
        return ring(s, candidates).lookup(hash(key));
    }

    /**
     * The ring of the candidates {@code s} describes, kept with the snapshot (so lists that alternate,
     * each with its snapshot, each keep their ring); a new snapshot of the endpoints of the last ring
     * built (a rule changed) reuses its points.
     */
    private Ring ring(CandidateSnapshot<Void> s, List<Endpoint> candidates) {
        if (s.derived() instanceof Ring r) {
            return r;
        }
        Ring last = ring;
        long sig = signature(candidates);
        Ring r = last.signature == sig && last.size == candidates.size() ? last : new Ring(sig, candidates, replicas);
        s.derive(r);
        ring = r;
        return r;
    }

    /** An order-independent fingerprint of the candidate list (ids and endpoint identities). */
    private static long signature(List<Endpoint> candidates) {
        long sum = 0;
        long xor = 0;
        for (int i = 0; i < candidates.size(); i++) {
            Endpoint e = candidates.get(i);
            long h = mix(e.instance().id().hashCode() * 0x9E3779B97F4A7C15L + System.identityHashCode(e));
            sum += h;
            xor ^= Long.rotateLeft(h, 17);
        }
        return sum ^ (xor * 31);
    }

    /**
     * A well-spread 64-bit hash of {@code s}: FNV-1a over its UTF-16 code units, then the SplitMix64
     * finalizer. Allocation-free. Part of the ring's contract: changing it moves every key.
     */
    static long hash(String s) {
        long h = 0xcbf29ce484222325L;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            h ^= c & 0xff;
            h *= 0x100000001b3L;
            h ^= c >>> 8;
            h *= 0x100000001b3L;
        }
        return mix(h);
    }

    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }

    @Override
    public String toString() {
        return "consistent-hash(" + header + ")";
    }

    private static final class Ring {
        final long signature;
        final int size;
        final long[] points;
        final Endpoint[] owners;

        Ring(long signature, int size, long[] points, Endpoint[] owners) {
            this.signature = signature;
            this.size = size;
            this.points = points;
            this.owners = owners;
        }

        Ring(long signature, List<Endpoint> candidates, int replicas) {
            this.signature = signature;
            this.size = candidates.size();
            int total = candidates.size() * replicas;
            long[] keyed = new long[total];
            Endpoint[] byIndex = candidates.toArray(new Endpoint[0]);
            // Sort the points together with their owners through an index sort.
            Integer[] order = new Integer[total];
            long[] raw = new long[total];
            for (int e = 0; e < byIndex.length; e++) {
                String id = byIndex[e].instance().id();
                for (int v = 0; v < replicas; v++) {
                    raw[e * replicas + v] = hash(id + "#" + v);
                    order[e * replicas + v] = e * replicas + v;
                }
            }
            Arrays.sort(order, (x, y) -> Long.compareUnsigned(raw[x], raw[y]));
            Endpoint[] own = new Endpoint[total];
            for (int k = 0; k < total; k++) {
                keyed[k] = raw[order[k]];
                own[k] = byIndex[order[k] / replicas];
            }
            this.points = keyed;
            this.owners = own;
        }

        Endpoint lookup(long h) {
            // The first point at or after h, clockwise, wrapping around.
            int lo = 0;
            int hi = points.length;
            while (lo < hi) {
                int mid = (lo + hi) >>> 1;
                if (Long.compareUnsigned(points[mid], h) < 0) {
                    lo = mid + 1;
                } else {
                    hi = mid;
                }
            }
            return owners[lo == points.length ? 0 : lo];
        }
    }
}
