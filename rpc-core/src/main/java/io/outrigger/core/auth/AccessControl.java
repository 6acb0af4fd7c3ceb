package io.outrigger.core.auth;

import io.outrigger.core.Attributes;
import io.outrigger.core.CallAttributes;
import io.outrigger.core.Interceptor;
import io.outrigger.core.Invoker;
import io.outrigger.core.RpcRequest;
import io.outrigger.core.RpcResponse;
import io.outrigger.core.Status;
import io.outrigger.core.internal.protocol.PeerText;
import io.outrigger.core.tls.PeerPrincipal;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A server interceptor that authenticates each call and checks it against allow lists.
 *
 * <p><b>Who is calling.</b> A bearer token in the {@code authorization} metadata ({@code Bearer
 * <token>}, see {@link BearerToken}) is mapped to an identity by the {@link TokenVerifier}; without a
 * token, the identity is that of the client's verified TLS certificate ({@link
 * CallAttributes#PEER_PRINCIPAL}, its CN by default). A token, when sent, decides: a rejected token
 * is refused even over a certified connection. No credentials, or rejected ones: {@code
 * UNAUTHENTICATED} ("no credentials: send a client certificate or an 'authorization: Bearer ...'
 * header").
 *
 * <p><b>What it may call.</b> Rules name a service and a method ({@code "*"}: every method; service
 * {@code "*"}: every service) and the identities allowed ({@code "*"}: any authenticated caller).
 * The most specific rule decides: the method's, else the service's ({@code "*"} method), else the
 * rule for every service ({@code "*"}, {@code "*"});
 * with none, the call is denied. A caller not listed gets {@code PERMISSION_DENIED} ("caller 'billing'
 * may not call demo.UserService/deleteUser; allowed: admin").
 *
 * <pre>{@code
 * AccessControl acl = AccessControl.builder()
 *         .tokens(TokenVerifier.of(Map.of(adminToken, "admin", billingToken, "billing")))
 *         .allow("demo.UserService", "*", "admin", "billing")
 *         .allow("demo.UserService", "deleteUser", "admin")   // overrides the line above for this method
 *         .allowAnonymous("grpc.health.v1.Health", "*")
 *         .build();
 * RpcServer.builder().tls(serverTls).auth(acl)...
 * }</pre>
 *
 * <p>A call let through carries the caller's identity as {@link #CALLER}, for later interceptors and
 * generic services, and no longer carries the {@code authorization} header: credentials go no
 * further than this interceptor. Refusals are logged (at most 10 lines a second, then a count of
 * those left out). It belongs in the server's auth slot ({@code RpcServer.Builder.auth}), which the
 * server chain runs after tracing and metrics (refusals are traced and counted) and before rate
 * limits (anonymous callers spend nobody's quota). Immutable and thread-safe.
 */
public final class AccessControl implements Interceptor {

    /** Set on the requests it lets through: the caller's identity (absent for anonymous calls). */
    public static final Attributes.Key<String> CALLER = Attributes.Key.of("caller", String.class);

    /** In a rule: every method of a service, or every service. */
    public static final String ANY = "*";

    /** In a rule's identities: any authenticated caller. */
    public static final String ANY_CALLER = "*";

    private static final Logger log = LoggerFactory.getLogger(AccessControl.class);

    private final TokenVerifier tokens;
    private final Function<PeerPrincipal, String> certificates;
    private final Map<String, Map<String, Rule>> rules;
    private final String missingCredentials;
    private final RefusalLog refusals = new RefusalLog();

    /** Who may call one method (or service): the identities, and whether callers without credentials may. */
    private record Rule(Set<String> identities, boolean anonymous) {
        boolean allows(String identity) {
            return identities.contains(identity) || identities.contains(ANY_CALLER);
        }

        String describe() {
            if (anonymous) {
                return "anyone";
            }
            if (identities.contains(ANY_CALLER)) {
                return "any authenticated caller";
            }
            return identities.isEmpty() ? "nobody" : String.join(", ", identities);
        }
    }

    private AccessControl(Builder b) {
        this.tokens = b.tokens;
        this.certificates = b.certificates;
        Map<String, Map<String, Rule>> copy = new HashMap<>();
        b.rules.forEach((service, methods) -> copy.put(service, Map.copyOf(methods)));
        this.rules = Map.copyOf(copy);
        if (tokens != null && certificates != null) {
            missingCredentials = "no credentials: send a client certificate or an 'authorization: Bearer ...' header";
        } else if (tokens != null) {
            missingCredentials = "no credentials: send an 'authorization: Bearer ...' header";
        } else {
            missingCredentials = "no credentials: send a client certificate (mutual TLS)";
        }
    }

    /** A builder with no rules (everything denied), identities from client certificates, no tokens. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Identifies the caller, checks the rules, and either answers {@code UNAUTHENTICATED} / {@code
     * PERMISSION_DENIED} at once or passes the call on with {@link #CALLER} set and the token removed.
     */
    @Override
    public CompletionStage<RpcResponse> intercept(RpcRequest request, Invoker next) {
        Rule rule = rule(request.service(), request.method());
        String header = request.metadata().get(BearerToken.HEADER);
        RpcRequest forwarded = header == null
                ? request
                : request.withMetadata(request.metadata().without(BearerToken.HEADER));

        String identity;
        String problem = null;
        if (header != null && tokens != null) {
            String token = BearerToken.parse(header);
            if (token == null) {
                identity = null;
                problem = "the 'authorization' header is not 'Bearer <token>'";
            } else {
                identity = tokens.verify(token).orElse(null);
                if (identity == null) {
                    problem = "bearer token not accepted (unknown, expired or revoked)";
                }
            }
        } else if (header != null) {
            identity = null;
            problem = "this server does not accept bearer tokens; send a client certificate (mutual TLS)";
        } else {
            PeerPrincipal peer =
                    certificates == null ? null : request.attributes().get(CallAttributes.PEER_PRINCIPAL);
            identity = peer == null ? null : certificates.apply(peer);
            if (identity == null) {
                problem = missingCredentials;
            }
        }

        if (rule != null && rule.anonymous()) {
            // Open to all: credentials are not required, and bad ones are ignored rather than refused.
            return next.invoke(identity == null ? forwarded : forwarded.withAttribute(CALLER, identity));
        }
        if (identity == null) {
            return refuse(request, null, Status.UNAUTHENTICATED.withDescription(problem));
        }
        if (rule == null || !rule.allows(identity)) {
            return refuse(
                    request,
                    identity,
                    Status.PERMISSION_DENIED.withDescription("caller '" + identity + "' may not call "
                            + request.fullMethodName() + "; allowed: " + (rule == null ? "nobody" : rule.describe())));
        }
        return next.invoke(forwarded.withAttribute(CALLER, identity));
    }

    private Rule rule(String service, String method) {
        Map<String, Rule> byMethod = rules.get(service);
        if (byMethod != null) {
            Rule r = byMethod.get(method);
            if (r == null) {
                r = byMethod.get(ANY);
            }
            if (r != null) {
                return r;
            }
        }
        Map<String, Rule> fallback = rules.get(ANY);
        return fallback == null ? null : fallback.get(ANY);
    }

    private CompletionStage<RpcResponse> refuse(RpcRequest request, String identity, Status status) {
        refusals.log(request, identity, status);
        return CompletableFuture.completedFuture(RpcResponse.failure(status));
    }

    @Override
    public String toString() {
        return "AccessControl" + rules;
    }

    /** Logs refusals, at most {@link #PER_SECOND} lines a second: a flood of bad calls must not flood the log. */
    private static final class RefusalLog {
        static final int PER_SECOND = 10;
        private final AtomicLong windowStart = new AtomicLong(System.nanoTime());
        private final AtomicInteger inWindow = new AtomicInteger();
        private final AtomicInteger suppressed = new AtomicInteger();

        void log(RpcRequest request, String identity, Status status) {
            long now = System.nanoTime();
            long start = windowStart.get();
            if (now - start >= TimeUnit.SECONDS.toNanos(1) && windowStart.compareAndSet(start, now)) {
                inWindow.set(0);
                int left = suppressed.getAndSet(0);
                if (left > 0) {
                    log.warn("{} more refused calls were not logged", left);
                }
            }
            if (inWindow.incrementAndGet() > PER_SECOND) {
                suppressed.incrementAndGet();
                return;
            }
            log.warn(
                    "refused {} from {}{}: {}: {}",
                    PeerText.safe(request.fullMethodName()), // the peer chose it: no forged log lines
                    request.attributes().getOrDefault(CallAttributes.REMOTE_ADDRESS, "?"),
                    identity == null ? "" : " (caller '" + PeerText.safe(identity) + "')",
                    status.code(),
                    PeerText.safe(status.description()));
        }
    }

    /** Builds an {@link AccessControl}; each method validates its arguments at once. Not thread-safe. */
    public static final class Builder {
        private TokenVerifier tokens;
        private Function<PeerPrincipal, String> certificates = PeerPrincipal::name;
        private final Map<String, Map<String, Rule>> rules = new HashMap<>();

        private Builder() {}

        /** Accepts bearer tokens, mapped to identities by {@code verifier}. Default: tokens are refused. */
        public Builder tokens(TokenVerifier verifier) {
            this.tokens = Objects.requireNonNull(verifier, "tokens");
            return this;
        }

        /**
         * How a verified client certificate names its caller. Default: {@link PeerPrincipal#name()}
         * (the subject's CN); e.g. {@code p -> p.subjectAlternativeNames().stream().filter(n ->
         * n.startsWith("spiffe://")).findFirst().orElse(null)} for SPIFFE ids. A {@code null} result
         * means the certificate names no caller.
         */
        public Builder certificateIdentity(Function<PeerPrincipal, String> identity) {
            this.certificates = Objects.requireNonNull(identity, "certificateIdentity");
            return this;
        }

        /** Ignores client certificates: only bearer tokens identify callers. Default: certificates count. */
        public Builder ignoreCertificates() {
            this.certificates = null;
            return this;
        }

        /**
         * Lets {@code identities} call {@code method} of {@code service}. {@code method} {@code "*"}
         * means every method of the service (a rule for a single method overrides it); {@code service}
         * {@code "*"} (with method {@code "*"}) is the rule for every service without its own; identity
         * {@code "*"} means any authenticated caller. Calling it again for the same service and method
         * adds identities.
         */
        public Builder allow(String service, String method, String... identities) {
            checkTarget(service, method);
            if (identities.length == 0) {
                throw new IllegalArgumentException(
                        "identities: none (expected: at least one, or \"*\" for any caller)");
            }
            Set<String> ids = new LinkedHashSet<>();
            Rule old = rules.computeIfAbsent(service, s -> new HashMap<>()).get(method);
            if (old != null) {
                ids.addAll(old.identities());
            }
            for (String id : identities) {
                Objects.requireNonNull(id, "identity");
                if (id.isBlank()) {
                    throw new IllegalArgumentException("identity: blank (expected: a caller name, or \"*\")");
                }
                ids.add(id);
            }
            // Kept in the order given, for readable messages.
            rules.get(service).put(method, new Rule(Collections.unmodifiableSet(ids), old != null && old.anonymous()));
            return this;
        }

        /**
         * Lets anyone, even without credentials, call {@code method} of {@code service} ({@code "*"}:
         * every method), e.g. a health check.
         */
        public Builder allowAnonymous(String service, String method) {
            checkTarget(service, method);
            Rule old = rules.computeIfAbsent(service, s -> new HashMap<>()).get(method);
            rules.get(service).put(method, new Rule(old == null ? Set.of() : old.identities(), true));
            return this;
        }

        private static void checkTarget(String service, String method) {
            Objects.requireNonNull(service, "service");
            Objects.requireNonNull(method, "method");
            if (service.isEmpty() || method.isEmpty() || method.indexOf('/') >= 0) {
                throw new IllegalArgumentException("rule for \"" + service + "\", \"" + method
                        + "\" (expected: a service name or \"*\", and a method name or \"*\")");
            }
            if (service.equals(ANY) && !method.equals(ANY)) {
                throw new IllegalArgumentException("rule for every service and method \"" + method
                        + "\" (expected: method \"*\" with service \"*\")");
            }
        }

        /** The interceptor. With no rules at all, it denies every call; add rules with {@link #allow}. */
        public AccessControl build() {
            if (tokens == null && certificates == null) {
                throw new IllegalStateException(
                        "no way to identify callers: accept tokens(...) or keep client certificates");
            }
            return new AccessControl(this);
        }
    }
}
