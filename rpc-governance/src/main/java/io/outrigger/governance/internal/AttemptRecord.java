package io.outrigger.governance.internal;

import io.outrigger.core.Attributes;
import io.outrigger.core.CallAttributes;
import io.outrigger.core.Interceptor;
import io.outrigger.core.cluster.Endpoint;

/**
 * Where the endpoint an attempt went to is written down, so that the retry layer (which sits above
 * the cluster invoker and never sees the pick) can fill {@link CallAttributes#TRIED_ENDPOINTS} for
 * the next attempt. The retry layer puts a fresh record on each attempt's request; the endpoint-level
 * {@link #RECORDER} interceptor, which sees {@link CallAttributes#ENDPOINT}, writes into it.
 */
public final class AttemptRecord {

    /** The request attribute holding the record of the current attempt. */
    public static final Attributes.Key<AttemptRecord> KEY = Attributes.Key.of("attempt-record", AttemptRecord.class);

    /** The endpoint-level interceptor writing the picked endpoint into the attempt's record. */
    public static final Interceptor RECORDER = (request, next) -> {
        AttemptRecord record = request.attributes().get(KEY);
        Endpoint endpoint = request.attributes().get(CallAttributes.ENDPOINT);
        if (record != null && endpoint != null) {
            record.endpointId = endpoint.instance().id();
        }
        return next.invoke(request);
    };

    private volatile String endpointId;

    /** The id of the endpoint the attempt was sent to, or {@code null} if it never reached one. */
    public String endpointId() {
        return endpointId;
    }
}
