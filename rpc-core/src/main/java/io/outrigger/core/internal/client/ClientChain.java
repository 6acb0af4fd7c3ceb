package io.outrigger.core.internal.client;

import io.outrigger.core.Interceptor;
import io.outrigger.core.Invoker;
import java.util.ArrayList;
import java.util.List;

/**
 * The one place where the order of the client chain is written down. Outermost first:
 *
 * <pre>
 * call context       outermost: the call's cancellation, and the deadline, keys and cancellation
 *                    inherited from the call being served, are on the request before anyone
 *                    (user code included) looks at it
 * user interceptors  the first to see a call, the last to see its outcome
 * tracing            outside everything built in, so a span covers retries, fallbacks, fast rejections
 * metrics            same reason: a call's duration includes its retries
 * fallback           above retry: falls back only when every attempt failed
 * retry / failover   above the cluster: each attempt may pick another endpoint
 * cluster            routers, load balancer, endpoint interceptors (per attempt), the endpoint
 * </pre>
 */
public final class ClientChain {

    private ClientChain() {}

    /**
     * Builds the chain over {@code cluster}. Absent slots ({@code null}) are skipped.
     */
    public static Invoker build(
            Invoker cluster,
            Interceptor retry,
            Interceptor fallback,
            Interceptor metrics,
            Interceptor tracing,
            List<Interceptor> user,
            Interceptor context) {
        List<Interceptor> outermostFirst = new ArrayList<>();
        addIfPresent(outermostFirst, context);
        outermostFirst.addAll(user);
        addIfPresent(outermostFirst, tracing);
        addIfPresent(outermostFirst, metrics);
        addIfPresent(outermostFirst, fallback);
        addIfPresent(outermostFirst, retry);
        return Invoker.decorate(cluster, outermostFirst);
    }

    private static void addIfPresent(List<Interceptor> chain, Interceptor interceptor) {
        if (interceptor != null) {
            chain.add(interceptor);
        }
    }
}
